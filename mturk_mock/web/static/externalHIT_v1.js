// MTurk's helper for HTMLQuestion pages (documented as externalHIT_v1.js), served by the mock so that a
// HIT works without the internet. turkGetParam reads a parameter of the frame's URL; turkSetAssignmentID
// puts the assignment ID into the form named mturk_form, points the form at turkSubmitTo, and keeps the
// submit button disabled while the worker only previews the HIT.
function turkGetParam(name, defaultValue) {
  var value = new URLSearchParams(window.location.search).get(name);
  return value === null ? defaultValue : value;
}

function turkSetAssignmentID(elementId) {
  var assignmentId = turkGetParam("assignmentId", "");
  var field = document.getElementById(elementId || "assignmentId");
  if (field) {
    field.value = assignmentId;
  }
  var form = document.getElementById("mturk_form") || document.forms.mturk_form;
  var submitTo = turkGetParam("turkSubmitTo", "");
  if (form && submitTo) {
    form.action = submitTo + "/mturk/externalSubmit";
  }
  if (assignmentId === "ASSIGNMENT_ID_NOT_AVAILABLE" && form) {
    var buttons = form.querySelectorAll("input[type=submit], button[type=submit], button:not([type])");
    for (var index = 0; index < buttons.length; index += 1) {
      buttons[index].disabled = true;
    }
  }
}
