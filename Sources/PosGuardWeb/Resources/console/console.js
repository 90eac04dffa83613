// PosGuard console: what needs a script. Everything else works without one.
"use strict";

// The alert list keeps itself current: new alerts arrive by server-sent events and are added on top.
function liveAlerts() {
  const table = document.getElementById("alerts");
  if (!table || !window.EventSource) return;
  const status = table.dataset.status, severity = table.dataset.severity;
  const body = table.querySelector("tbody");
  const stream = new EventSource(table.dataset.stream);
  const label = document.querySelector("[data-live-status]");
  stream.onopen = () => { if (label) label.hidden = false; };
  stream.addEventListener("alert", (message) => {
    const alert = JSON.parse(message.data);
    if ((status && alert.status !== status) || (severity && alert.severity !== severity)) return;
    if (document.getElementById("alert-" + alert.id)) return;
    const row = document.createElement("tr");
    row.id = "alert-" + alert.id;
    row.className = "new";
    const link = document.createElement("a");
    link.href = alert.href;
    link.textContent = alert.message;
    const cells = [link, badge(alert.severity_label, alert.severity === "critical" ? "danger" : "warn"),
      badge(alert.status_label, alert.status === "open" ? "danger" : alert.status === "acknowledged" ? "warn" : "muted"),
      time(alert.last_seen, alert.last_seen_iso)];
    for (const content of cells) {
      const cell = document.createElement("td");
      cell.appendChild(content);
      row.appendChild(cell);
    }
    body.insertBefore(row, body.firstChild);
    const empty = document.querySelector("[data-empty]");
    if (empty) empty.remove();
    setTimeout(() => row.classList.remove("new"), 4000);
  });
}

function badge(text, tone) {
  const span = document.createElement("span");
  span.className = "badge " + tone;
  span.textContent = text;
  return span;
}

function time(text, iso) {
  const element = document.createElement("time");
  element.dateTime = iso;
  element.textContent = text;
  return element;
}

// An evidence upload shows its progress; without a script the same form posts as usual.
function uploadProgress() {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const progress = form.querySelector("progress");
      const button = form.querySelector("button[type=submit]");
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.onprogress = (e) => {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      };
      request.onload = () => {
        if (request.status < 400) {
          window.location.assign(request.responseURL || form.action.replace(/\/evidence$/, ""));
        } else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      };
      request.onerror = () => { button.disabled = false; progress.hidden = true; };
      progress.hidden = false;
      button.disabled = true;
      request.send(new FormData(form));
    });
  }
}

document.addEventListener("DOMContentLoaded", liveAlerts);
document.addEventListener("DOMContentLoaded", uploadProgress);
