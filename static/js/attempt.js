// The attempt page: saves each answer as it is clicked, counts down to the server's
// deadline and submits when it is reached, and shows what is unanswered before a
// submit. Without this script the page is one form and the server does the summary.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = document.getElementById("timer");
  var stateEl = document.getElementById("save-state");
  var countEl = document.getElementById("answered-count");
  var fill = document.getElementById("progress-fill");
  var questions = form.querySelectorAll("fieldset.question");
  var total = questions.length;
  var storeKey = "attempt:" + saveUrl;
  // Sequence numbers continue from what the server already holds, so a reload or
  // a second device never sends a number older than a stored answer.
  var seq = Number(form.dataset.seqBase || 0);
  var pending = {};
  var sending = false;
  var retryDelay = 1000;
  var retryTimer = null;
  var failing = false;  // the last send failed: say so until one gets through
  var submitted = false;

  // The remaining time is the server's; the local clock only measures elapsed time.
  var endAt = performance.now() + Number(form.dataset.remainingMs || 0);

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, endAt - performance.now());
    var s = Math.ceil(left / 1000);
    timer.textContent = pad(Math.floor(s / 60)) + ":" + pad(s % 60);
    timer.classList.toggle("low", s <= 60);
    if (left <= 0 && !submitted) { submitted = true; setState("Hết giờ, đang nộp bài…"); form.submit(); return; }
    setTimeout(tick, 250);
  }

  function setState(text, isError) {
    stateEl.textContent = text;
    stateEl.classList.toggle("error", !!isError);
  }

  function refreshProgress() {
    var done = 0;
    questions.forEach(function (fs) {
      var answered = !!fs.querySelector("input[type=radio]:checked");
      if (answered) done += 1;
      var link = document.querySelector('[data-nav="' + fs.dataset.position + '"]');
      if (link) link.classList.toggle("done", answered);
    });
    countEl.textContent = done;
    fill.style.width = (total ? Math.round(done * 100 / total) : 0) + "%";
  }

  function remember() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }

  function enqueue(key, payload) {
    seq += 1;
    payload.seq = seq;
    pending[key] = payload;
    remember();
    flush();
  }

  function flush() {
    if (sending || submitted) return;
    var keys = Object.keys(pending);
    if (!keys.length) { failing = false; setState("Đã lưu"); return; }
    var key = keys[0];
    var payload = pending[key];
    sending = true;
    if (failing) setState(unsavedText(), true); else setState("Đang lưu…");
    fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(payload).toString()
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (r) {
      sending = false;
      if (r.status === 200 && r.body.ok) {
        // Acknowledged: forget it unless a newer click replaced it meanwhile.
        if (pending[key] && pending[key].seq === payload.seq) delete pending[key];
        remember();
        retryDelay = 1000;
        failing = false;
        flush();
      } else if (r.body.finished) {
        submitted = true;
        window.location.reload();
      } else if (r.body.stale) {
        // The server holds a newer save of this answer: this one is dropped.
        if (pending[key] && pending[key].seq === payload.seq) delete pending[key];
        remember();
        flush();
      } else if (r.status === 429) {
        // Too many saves: keep the answer queued and send it when the server says.
        var wait = Math.max(1, Number(r.body.retry_after) || 5);
        setState(r.body.error || "Đang chờ để lưu lại câu trả lời…", true);
        setTimeout(flush, Math.min(wait, 120) * 1000);
      } else if (r.status === 400) {
        delete pending[key];
        remember();
        setState(r.body.error || "Không lưu được câu trả lời.", true);
        flush();
      } else {
        retry();
      }
    }).catch(function () { sending = false; retry(); });
  }

  function unsavedText() {
    var n = Object.keys(pending).length;
    return "Mất kết nối: " + n + " câu trả lời chưa lưu được, đang thử lưu lại…";
  }

  // Nothing is forgotten until the server acknowledges it: the queue lives in
  // localStorage, so a reload or a crash resends it (see the end of this file).
  function retry() {
    failing = true;
    setState(unsavedText(), true);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio") {
      var fs = input.closest("fieldset.question");
      enqueue("q" + fs.dataset.position, { position: fs.dataset.position, choice: input.value });
      refreshProgress();
    } else if (input.name === "prediction") {
      var value = input.value.trim();
      if (value) enqueue("prediction", { prediction: value });
    }
  });
  // "Nộp bài" first shows what is still unanswered (the same summary the server
  // gives without this script); a complete attempt goes straight on. The deadline
  // calls form.submit(), which fires no submit event: it never waits for a summary.
  var submitBtn = document.getElementById("submit-btn");
  var dialog = document.getElementById("submit-summary");
  var summaryCount = document.getElementById("summary-count");
  var summaryLinks = document.getElementById("summary-links");
  var summaryPrediction = document.getElementById("summary-prediction");
  var confirmBtn = document.getElementById("confirm-submit-btn");
  var backTarget = null;  // where focus goes when the dialog closes

  function openSummary() {
    var missing = [];
    questions.forEach(function (fs) {
      if (!fs.querySelector("input[type=radio]:checked")) missing.push(fs);
    });
    var box = form.querySelector("input[name=prediction]");
    var noPrediction = !!box && !box.value.trim();
    if (!missing.length && !noPrediction) return false;
    summaryCount.textContent = missing.length
      ? "Bạn còn " + missing.length + "/" + total + " câu chưa trả lời:"
      : "Bạn đã trả lời tất cả " + total + " câu.";
    summaryLinks.textContent = "";
    missing.forEach(function (fs) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + fs.id;
      a.textContent = "Câu " + (Number(fs.dataset.position) + 1);
      li.appendChild(a);
      summaryLinks.appendChild(li);
    });
    summaryLinks.hidden = !missing.length;
    if (summaryPrediction) summaryPrediction.hidden = !noPrediction;
    // The server refuses a submit without the prediction: do not offer one.
    confirmBtn.hidden = noPrediction;
    backTarget = submitBtn;
    dialog.showModal();
    document.getElementById("summary-title").focus();
    return true;
  }

  if (dialog && typeof dialog.showModal === "function") {
    document.getElementById("summary-back-btn").addEventListener("click", function () {
      dialog.close();
    });
    // Escape closes a modal dialog by itself; either way focus goes back.
    dialog.addEventListener("close", function () {
      if (backTarget) backTarget.focus();
      backTarget = null;
    });
    dialog.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      backTarget = !target ? null
        : target.matches("input") ? target : target.querySelector("input");
      dialog.close();  // the link then scrolls to the question
    });
  }

  form.addEventListener("submit", function (event) {
    if (!submitted && dialog && typeof dialog.showModal === "function"
        && event.submitter === submitBtn && openSummary()) {
      event.preventDefault();
      return;
    }
    submitted = true;
  });
  window.addEventListener("online", function () { retryDelay = 1000; flush(); });

  // Answers clicked before a crash or a lost connection are sent again.
  try {
    var saved = JSON.parse(localStorage.getItem(storeKey) || "{}");
    Object.keys(saved).forEach(function (key) {
      var p = saved[key];
      if (p.position !== undefined) {
        var radio = form.querySelector('input[name="q' + p.position + '"][value="' + p.choice + '"]');
        if (radio) radio.checked = true;
      } else if (p.prediction !== undefined) {
        var box = form.querySelector("input[name=prediction]");
        if (box) box.value = p.prediction;
      }
      seq = Math.max(seq, Number(p.seq) || 0);
      pending[key] = p;
    });
  } catch (e) { /* nothing stored */ }

  // With this script the countdown replaces the server's clock time.
  document.getElementById("countdown").hidden = false;
  document.getElementById("deadline-clock").hidden = true;
  refreshProgress();
  tick();
  flush();
})();
