"""The worked example of spec section 2.5: a two-question test, its answer key, a worker's answers."""

SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
QF17 = SCHEMAS + "2017-11-06/QuestionForm.xsd"
AK = SCHEMAS + "2005-10-01/AnswerKey.xsd"
QFA = SCHEMAS + "2005-10-01/QuestionFormAnswers.xsd"

TEST = f"""<QuestionForm xmlns="{QF17}">
  <Overview>
    <Title>Colour check</Title>
    <Text>Two short questions about colours.</Text>
  </Overview>
  <Question>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <DisplayName>Sky</DisplayName>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>What colour is a clear midday sky?</Text></QuestionContent>
    <AnswerSpecification>
      <SelectionAnswer>
        <StyleSuggestion>radiobutton</StyleSuggestion>
        <Selections>
          <Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>
          <Selection><SelectionIdentifier>green</SelectionIdentifier><Text>Green</Text></Selection>
        </Selections>
      </SelectionAnswer>
    </AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>primaries</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Tick every additive primary colour.</Text></QuestionContent>
    <AnswerSpecification>
      <SelectionAnswer>
        <MinSelectionCount>1</MinSelectionCount>
        <MaxSelectionCount>4</MaxSelectionCount>
        <StyleSuggestion>checkbox</StyleSuggestion>
        <Selections>
          <Selection><SelectionIdentifier>r</SelectionIdentifier><Text>Red</Text></Selection>
          <Selection><SelectionIdentifier>g</SelectionIdentifier><Text>Green</Text></Selection>
          <Selection><SelectionIdentifier>b</SelectionIdentifier><Text>Blue</Text></Selection>
          <Selection><SelectionIdentifier>y</SelectionIdentifier><Text>Yellow</Text></Selection>
        </Selections>
      </SelectionAnswer>
    </AnswerSpecification>
  </Question>
</QuestionForm>"""

KEY_QUESTIONS = """
  <Question>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <AnswerOption>
      <SelectionIdentifier>blue</SelectionIdentifier>
      <AnswerScore>10</AnswerScore>
    </AnswerOption>
  </Question>
  <Question>
    <QuestionIdentifier>primaries</QuestionIdentifier>
    <AnswerOption>
      <SelectionIdentifier>r</SelectionIdentifier>
      <SelectionIdentifier>g</SelectionIdentifier>
      <SelectionIdentifier>b</SelectionIdentifier>
      <AnswerScore>10</AnswerScore>
    </AnswerOption>
    <AnswerOption>
      <SelectionIdentifier>r</SelectionIdentifier>
      <SelectionIdentifier>g</SelectionIdentifier>
      <AnswerScore>4</AnswerScore>
    </AnswerOption>
    <DefaultScore>-2</DefaultScore>
  </Question>"""

ANSWER_KEY = f"""<AnswerKey xmlns="{AK}">{KEY_QUESTIONS}
  <QualificationValueMapping>
    <PercentageMapping>
      <MaximumSummedScore>20</MaximumSummedScore>
    </PercentageMapping>
  </QualificationValueMapping>
</AnswerKey>"""

ANSWERS = f"""<QuestionFormAnswers xmlns="{QFA}">
  <Answer>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <SelectionIdentifier>blue</SelectionIdentifier>
  </Answer>
  <Answer>
    <QuestionIdentifier>primaries</QuestionIdentifier>
    <SelectionIdentifier>g</SelectionIdentifier>
    <SelectionIdentifier>r</SelectionIdentifier>
  </Answer>
</QuestionFormAnswers>"""

# The same key without a mapping: the summed score is the value.
ANSWER_KEY_UNMAPPED = ANSWER_KEY.split("<QualificationValueMapping>")[0] + "</AnswerKey>"

# Question content of HITs (spec H§3).
EXTERNAL_QUESTION = (
    f'<ExternalQuestion xmlns="{SCHEMAS}2006-07-14/ExternalQuestion.xsd">'
    "<ExternalURL>https://tasks.example.org/label?batch=7</ExternalURL><FrameHeight>600</FrameHeight>"
    "</ExternalQuestion>"
)
HTML_QUESTION = (
    f'<HTMLQuestion xmlns="{SCHEMAS}2011-11-11/HTMLQuestion.xsd">'
    '<HTMLContent><![CDATA[<!DOCTYPE html><html><body><form name="mturk_form" method="post" action="">'
    '<input type="hidden" value="" name="assignmentId" id="assignmentId"/><p>Label the image</p>'
    '<input name="label"/></form></body></html>]]></HTMLContent><FrameHeight>450</FrameHeight></HTMLQuestion>'
)
HIT_QUESTION_FORM = TEST.replace("<IsRequired>true</IsRequired>", "<IsRequired>false</IsRequired>", 1)
# A 2005-10-01 QuestionForm with two FileUploadAnswer questions and a free-text one (GetFileUploadURL).
UPLOAD_FORM = (
    f'<QuestionForm xmlns="{SCHEMAS}2005-10-01/QuestionForm.xsd">'
    "<Question><QuestionIdentifier>photo</QuestionIdentifier><QuestionContent><Text>Photo</Text></QuestionContent>"
    "<AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>100</MaxFileSizeInBytes>"
    "<MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question>"
    "<Question><QuestionIdentifier>scan</QuestionIdentifier><QuestionContent><Text>Scan</Text></QuestionContent>"
    "<AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>100</MaxFileSizeInBytes>"
    "<MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question>"
    "<Question><QuestionIdentifier>note</QuestionIdentifier><QuestionContent><Text>Note</Text></QuestionContent>"
    "<AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>"
)
