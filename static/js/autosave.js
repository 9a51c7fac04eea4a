/* Autosave of the answering page: each answer is sent as it is given.
 * Without JavaScript the page still works through its Save button.
 * An answer that cannot be sent (network down, session expired, stale page) is kept in
 * localStorage and sent again, so nothing typed is lost. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) { return; }
  var msg = form.dataset;
  var storageKey = msg.storageKey;
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var timers = {};
  var retryDelay = {};

  function csrfToken() {
    // The token changes at login: after logging in again in another tab, the cookie
    // has the new one while the page still holds the old one.
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : csrfInput.value;
  }
  function pending() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "{}"); } catch (e) { return {}; }
  }
  function setPending(code, data) {
    var all = pending();
    if (data) { all[code] = data; } else { delete all[code]; }
    try { localStorage.setItem(storageKey, JSON.stringify(all)); } catch (e) { /* storage full or off */ }
  }
  function status(fieldset, text, kind) {
    var el = fieldset.querySelector(".save-status");
    el.textContent = text;
    el.className = "save-status" + (kind ? " text-" + kind : "");
  }
  function collect(fieldset) {
    var name = fieldset.id;
    var values = [];
    fieldset.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      values.push(input.value);
    });
    var dk = fieldset.querySelector("[name='" + name + "-dk']");
    var na = fieldset.querySelector("[name='" + name + "-na']");
    return { values: values, dontKnow: !!(dk && dk.checked), notConcerned: !!(na && na.checked) };
  }
  function apply(fieldset, data) {
    var name = fieldset.id;
    fieldset.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = data.values.indexOf(input.value) !== -1;
      } else {
        input.value = data.values[0] || "";
      }
    });
    var dk = fieldset.querySelector("[name='" + name + "-dk']");
    if (dk) { dk.checked = data.dontKnow; }
    var na = fieldset.querySelector("[name='" + name + "-na']");
    if (na) { na.checked = !!data.notConcerned; }
  }
  function updateVisibility(visible) {
    var changed = false;
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var show = visible.indexOf(fs.dataset.code) !== -1;
      if (show === fs.hidden) {
        fs.hidden = !show;
        fs.disabled = !show;
        changed = true;
      }
    });
    return changed;
  }
  function updateProgress(progress) {
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    if (bar) { bar.max = progress.visible; bar.value = progress.answered; }
    if (text && msg.progress) {
      text.textContent = msg.progress.replace("__A__", progress.answered).replace("__V__", progress.visible);
    }
  }

  function save(fieldset, data) {
    var code = fieldset.dataset.code;
    var versionInput = fieldset.querySelector("[data-version]");
    data = data || collect(fieldset);
    setPending(code, data);
    status(fieldset, msg.msgSaving, "");
    // Sent form-encoded (not multipart, as FormData would be): the server reads it without
    // a multipart parser, which saves 5 to 8 % of an autosave's server time (docs/performance.md).
    var body = new URLSearchParams();
    data.values.forEach(function (v) { body.append("value", v); });
    if (data.dontKnow) { body.append("dont_know", "1"); }
    if (data.notConcerned) { body.append("not_concerned", "1"); }
    body.append("version", versionInput.value);
    fetch(fieldset.dataset.saveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      redirect: "error"
    }).then(function (response) {
      return response.json().catch(function () { return { status: "http" + response.status }; })
        .then(function (json) { return { code: response.status, json: json }; });
    }).then(function (r) {
      var json = r.json;
      if (r.code === 200 && json.status === "saved") {
        versionInput.value = json.version;
        setPending(code, null);
        retryDelay[code] = 0;
        status(fieldset, msg.msgSaved, "success");
        updateVisibility(json.visible);
        updateProgress(json.progress);
        var old = fieldset.querySelector(".conflict");
        if (old) { old.remove(); }
        var copied = fieldset.querySelector("[data-to-confirm]");
        if (copied) { copied.remove(); }
      } else if (r.code === 409) {
        setPending(code, null);
        showConflict(fieldset, json, data);
      } else if (r.code === 400) {
        setPending(code, null);
        status(fieldset, json.error || "", "danger");
      } else if (r.code === 503) {
        // The service is briefly unavailable (database outage): like a network error,
        // the answer stays in localStorage and is sent again.
        status(fieldset, msg.msgRetry, "danger");
        retry(fieldset, data);
      } else if (r.code === 401 || r.code === 403) {
        status(fieldset, msg.msgSession, "danger");
        retry(fieldset, data, 10000);
      } else {
        throw new Error("HTTP " + r.code);
      }
    }).catch(function () {
      status(fieldset, msg.msgRetry, "danger");
      retry(fieldset, data);
    });
  }
  function retry(fieldset, data, fixed) {
    var code = fieldset.dataset.code;
    retryDelay[code] = fixed || Math.min(30000, (retryDelay[code] || 1000) * 2);
    clearTimeout(timers[code]);
    timers[code] = setTimeout(function () { save(fieldset, data); }, retryDelay[code]);
  }
  function showConflict(fieldset, json, mine) {
    var old = fieldset.querySelector(".conflict");
    if (old) { old.remove(); }
    var box = document.createElement("div");
    box.className = "alert alert-warning conflict";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = json.message;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-warning";
    button.textContent = msg.msgConflictKeep;
    button.addEventListener("click", function () {
      fieldset.querySelector("[data-version]").value = json.version;
      box.remove();
      save(fieldset, mine);
    });
    box.appendChild(p);
    box.appendChild(button);
    var body = fieldset.querySelector(".question-body");
    body.insertBefore(box, body.firstChild);
    status(fieldset, "", "");
  }

  form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
    fieldset.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === fieldset.id + "-dk" && target.checked) {
        apply(fieldset, { values: [], dontKnow: true });
      } else if (target.name === fieldset.id + "-na" && target.checked) {
        apply(fieldset, { values: [], dontKnow: false, notConcerned: true });
      } else if (target.name === fieldset.id) {
        ["-dk", "-na"].forEach(function (suffix) {
          var box = fieldset.querySelector("[name='" + fieldset.id + suffix + "']");
          if (box) { box.checked = false; }
        });
        // An exclusive choice ("none") goes alone: it clears the others, and they clear it.
        if (target.type === "checkbox" && target.checked) {
          fieldset.querySelectorAll("[name='" + fieldset.id + "']").forEach(function (other) {
            if (other !== target && (target.dataset.exclusive || other.dataset.exclusive)) {
              other.checked = false;
            }
          });
        }
      }
      clearTimeout(timers[fieldset.dataset.code]);
      save(fieldset);
    });
    // A copied answer is confirmed as it is by saving it again.
    var confirm = fieldset.querySelector("[data-confirm]");
    if (confirm) {
      confirm.hidden = false;
      confirm.addEventListener("click", function () { save(fieldset); });
    }
    fieldset.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA" && event.target.type !== "text") { return; }
      var code = fieldset.dataset.code;
      setPending(code, collect(fieldset));
      clearTimeout(timers[code]);
      timers[code] = setTimeout(function () { save(fieldset); }, 800);
    });
  });

  // Answers typed earlier on this device but never saved: put them back and send them.
  var waiting = pending();
  Object.keys(waiting).forEach(function (code) {
    var fieldset = form.querySelector("fieldset.question[data-code='" + code + "']");
    if (fieldset) {
      apply(fieldset, waiting[code]);
      save(fieldset, waiting[code]);
    }
  });
})();
