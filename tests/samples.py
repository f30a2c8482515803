"""The worked example of spec section 2.5: a two-question test, its answer key, a worker's answers."""

FORM_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"
KEY_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/AnswerKey.xsd"

TEST = f"""<QuestionForm xmlns="{FORM_NS}">
  <Overview><Title>Colour check</Title><Text>Two short questions about colours.</Text></Overview>
  <Question>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <DisplayName>Sky</DisplayName>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>What colour is a clear midday sky?</Text></QuestionContent>
    <AnswerSpecification><SelectionAnswer>
      <StyleSuggestion>radiobutton</StyleSuggestion>
      <Selections>
        <Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>
        <Selection><SelectionIdentifier>green</SelectionIdentifier><Text>Green</Text></Selection>
      </Selections>
    </SelectionAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>primaries</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Tick every additive primary colour.</Text></QuestionContent>
    <AnswerSpecification><SelectionAnswer>
      <MinSelectionCount>1</MinSelectionCount>
      <MaxSelectionCount>4</MaxSelectionCount>
      <StyleSuggestion>checkbox</StyleSuggestion>
      <Selections>
        <Selection><SelectionIdentifier>r</SelectionIdentifier><Text>Red</Text></Selection>
        <Selection><SelectionIdentifier>g</SelectionIdentifier><Text>Green</Text></Selection>
        <Selection><SelectionIdentifier>b</SelectionIdentifier><Text>Blue</Text></Selection>
        <Selection><SelectionIdentifier>y</SelectionIdentifier><Text>Yellow</Text></Selection>
      </Selections>
    </SelectionAnswer></AnswerSpecification>
  </Question>
</QuestionForm>"""

ANSWER_KEY = f"""<AnswerKey xmlns="{KEY_NS}">
  <Question>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <AnswerOption><SelectionIdentifier>blue</SelectionIdentifier><AnswerScore>10</AnswerScore></AnswerOption>
  </Question>
  <Question>
    <QuestionIdentifier>primaries</QuestionIdentifier>
    <AnswerOption>
      <SelectionIdentifier>r</SelectionIdentifier><SelectionIdentifier>g</SelectionIdentifier>
      <SelectionIdentifier>b</SelectionIdentifier><AnswerScore>10</AnswerScore>
    </AnswerOption>
    <AnswerOption>
      <SelectionIdentifier>r</SelectionIdentifier><SelectionIdentifier>g</SelectionIdentifier>
      <AnswerScore>4</AnswerScore>
    </AnswerOption>
    <DefaultScore>-2</DefaultScore>
  </Question>
  <QualificationValueMapping>
    <PercentageMapping><MaximumSummedScore>20</MaximumSummedScore></PercentageMapping>
  </QualificationValueMapping>
</AnswerKey>"""

# The same key without a mapping: the summed score is the value.
ANSWER_KEY_UNMAPPED = ANSWER_KEY.split("<QualificationValueMapping>")[0] + "</AnswerKey>"
