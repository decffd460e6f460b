(function () {
  "use strict";
  // Practice mode of the step-through page: ask for each gradient before showing it. The answer key and
  // the number each labelled slip gives were computed in Python (autograd.practice) and embedded; the
  // page only compares the typed number with them, with check()'s tolerance.
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var practice = data.practice, questions = practice.questions;
  var el = function (id) { return document.getElementById(id); };
  var current = 0, tries = 0, firstTry = 0, finished = [], active = [];

  function close(a, b) {
    return Math.abs(a - b) <= Math.max(practice.relTol * Math.max(Math.abs(a), Math.abs(b)), practice.absTol);
  }
  function verdict(question, value) {
    if (question.answer !== null && close(value, question.answer)) return "right";   // null: inf or nan
    if (question.byHand !== null && close(value, question.byHand)) return "right";   // from the shown numbers
    for (var i = 0; i < question.slips.length; i++) {
      if (close(value, question.slips[i].value)) return question.slips[i].kind;
    }
    return "other";
  }
  function parse(text) {
    var cleaned = text.trim().replace(/\u2212/g, "-").replace(/,/g, ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(cleaned)) return null;
    return Number(cleaned);
  }
  function say(text, kind) {
    var feedback = el("feedback");
    feedback.textContent = text;
    feedback.className = kind;
    feedback.setAttribute("data-verdict", kind);
  }
  // The working (upstream × local) of the question just answered or revealed, under its own title; cleared as
  // soon as the next question gets an answer, so it never sits under another question's feedback.
  function showWorking(question) {
    el("working-title").textContent = question ?
      "Working of the question just done, δ(" + question.name + "):" : "";
    var list = el("breakdown");
    list.textContent = "";
    (question ? question.breakdown : []).forEach(function (line) {
      var item = document.createElement("li"); item.textContent = line; list.appendChild(item);
    });
  }
  // Room for the feedback line, the working's title and the longest working, reserved once.
  var longest = questions.reduce(function (most, q) { return Math.max(most, q.breakdown.length); }, 0);
  el("result").style.height = (1.45 * (Math.min(longest, 8) + 2) + 0.4) + "em";

  function render() {
    var known = {};
    known[data.root] = data.seedShown;
    finished.forEach(function (done) { known[questions[done.index].node] = questions[done.index].answerShown; });
    var question = questions[current];
    var users = {};
    if (question) question.users.forEach(function (id) { users[id] = true; });
    for (var i = 0; i < data.nodeCount; i++) {
      var node = document.getElementById("node-" + i);
      var isKnown = known[i] !== undefined;
      document.getElementById("grad-" + i).textContent = isKnown ? known[i] : "?";
      node.classList.toggle("unknown", !isKnown);
      node.classList.toggle("complete", isKnown);
      node.classList.toggle("asked", !!question && question.node === i);
      node.classList.toggle("use", users[i] === true);
    }
    active.forEach(function (element) { element.classList.remove("active"); });
    active = [];
    if (question) {
      question.uses.forEach(function (edge) {
        [el(edge), el(edge + "-arrow"), el(edge + "-local")].forEach(function (element) {
          if (element) { element.classList.add("active"); active.push(element); }
        });
      });
    }
    var total = questions.length;
    el("score").textContent = "score " + firstTry + " / " + finished.length + " right at the first try";
    el("score").setAttribute("data-right", String(firstTry));
    el("score").setAttribute("data-done", String(finished.length));
    el("progress-text").textContent = question ? "question " + (current + 1) + " of " + total : "";
    el("question").textContent = question ? question.question + " =" :
      "Done: " + firstTry + " of " + total + " right at the first try.";
    el("answer").disabled = el("submit").disabled = el("reveal").disabled = !question;
    document.body.setAttribute("data-question", question ? String(current) : "done");
  }

  function advance(how) {
    finished.push({ index: current, how: how });
    current += 1;
    tries = 0;
    el("answer").value = "";
    render();
    if (current < questions.length) el("answer").focus(); else el("practice-reset").focus();
  }

  function submit() {
    var question = questions[current];
    if (!question) return;
    var value = parse(el("answer").value);
    showWorking(null);
    if (value === null) { say("not a number, try again", "notice"); return; }
    var kind = verdict(question, value);
    if (kind === "right") {
      if (tries === 0) firstTry += 1;
      say("✓ right: " + question.question + " = " + question.answerShown, "right");
      showWorking(question);
      advance(tries === 0 ? "first try" : "later try");
      return;
    }
    tries += 1;
    var words = practice.words[kind];
    say("✗ " + kind + ": " + words + ". Try again, or reveal.", "wrong");
    el("feedback").setAttribute("data-verdict", kind);
    el("answer").select();
  }

  function reveal() {
    var question = questions[current];
    if (!question) return;
    say("revealed: " + question.question + " = " + question.answerShown, "revealed");
    showWorking(question);
    advance("revealed");
  }

  function reset() {
    current = 0; tries = 0; firstTry = 0; finished = [];
    el("answer").value = "";
    say("", "");
    showWorking(null);
    render();
    el("answer").focus();
  }

  el("answer").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); submit(); }
  });
  el("submit").addEventListener("click", submit);
  el("reveal").addEventListener("click", reveal);
  el("practice-reset").addEventListener("click", reset);
  render();
})();
