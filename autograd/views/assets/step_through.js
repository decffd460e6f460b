(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var last = data.steps.length - 1;
  var step = 0, timer = null;
  var nodes = [], grads = [];
  for (var i = 0; i < data.nodeCount; i++) {
    nodes.push(document.getElementById("node-" + i));
    grads.push(document.getElementById("grad-" + i));
  }
  var el = function (id) { return document.getElementById(id); };
  var active = [];

  function render() {
    var shown = [], exact = [];
    shown[data.root] = data.seedShown; exact[data.root] = data.seedExact;
    for (var s = 1; s <= step; s++) {
      data.steps[s].edges.forEach(function (e) { shown[e.parent] = e.shown; exact[e.parent] = e.exact; });
    }
    var current = data.steps[step];
    var receiving = {};
    current.edges.forEach(function (e) { receiving[e.parent] = true; });
    for (var i = 0; i < data.nodeCount; i++) {
      var known = exact[i] !== undefined;
      grads[i].textContent = known ? shown[i] : "?";
      nodes[i].setAttribute("data-grad", known ? exact[i] : "");
      nodes[i].classList.toggle("unknown", !known);
      nodes[i].classList.toggle("complete", known && data.finalAt[i] <= step);
      nodes[i].classList.toggle("current", current.node === i || (step === 0 && i === data.root));
      nodes[i].classList.toggle("receiving", receiving[i] === true);
    }
    active.forEach(function (element) { element.classList.remove("active"); });
    active = [];
    current.edges.forEach(function (e) {
      [el(e.edge), el(e.edge + "-arrow"), el(e.edge + "-local")].forEach(function (element) {
        element.classList.add("active"); active.push(element);
      });
    });
    el("step-title").textContent = current.title;
    el("step-hint").textContent = current.hint;
    el("step-done").textContent = current.done || "";
    var list = el("step-lines");
    list.textContent = "";
    current.lines.forEach(function (line) {
      var item = document.createElement("li"); item.textContent = line; list.appendChild(item);
    });
    el("counter").textContent = step + " / " + last;
    el("bar").style.width = (last ? 100 * step / last : 100) + "%";
    el("back").disabled = el("reset").disabled = step === 0;
    el("next").disabled = step === last;
    el("play").textContent = timer ? "❚❚ Pause" : "▶ Play";
    document.body.setAttribute("data-step", String(step));
  }

  function go(to) { step = Math.max(0, Math.min(last, to)); if (step === last) stop(); render(); }
  function stop() { if (timer) { clearInterval(timer); timer = null; } }
  function next() { go(step + 1); }
  function back() { stop(); go(step - 1); }
  function reset() { stop(); go(0); }
  function togglePlay() {
    if (timer) { stop(); render(); return; }
    if (step === last) step = 0;
    timer = setInterval(next, Number(el("speed").value));
    next();
  }

  el("next").addEventListener("click", function () { stop(); next(); });
  el("back").addEventListener("click", back);
  el("reset").addEventListener("click", reset);
  el("play").addEventListener("click", togglePlay);
  el("speed").addEventListener("change", function () {
    if (timer) { stop(); timer = setInterval(next, Number(el("speed").value)); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = event.target && event.target.tagName;
    if (tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA") return;
    var actions = { "ArrowRight": function () { stop(); next(); }, "ArrowLeft": back, " ": togglePlay,
                    "r": reset, "R": reset, "Home": reset, "End": function () { stop(); go(last); } };
    var action = actions[event.key];
    if (!action) return;
    event.preventDefault();              // no scrolling, and no second "click" on a focused button
    action();
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === " ") event.preventDefault();
  });
  render();
})();
