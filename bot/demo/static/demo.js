// The chat simulator: polls what each pane shows, sends what the visitor types or taps.
"use strict";

const POLL_MS = 700;
const shown = {};

// The page's line saying the demo is not answering (stopped with Ctrl+C, or restarting).
function answering(yes) {
  const stopped = document.getElementById("stopped");
  if (yes && !stopped.hidden) {
    // Answering again: a pane's "not answering" is no longer true either.
    for (const error of document.querySelectorAll(".phone .error")) {
      if (error.textContent === stopped.textContent) error.hidden = true;
    }
  }
  stopped.hidden = yes;
}

// Send an action; a demo that does not answer gives {ok: false} with the page's sentence.
async function post(path, body) {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    answering(true);
    return answer;
  } catch (error) {
    answering(false);
    return { ok: false, error: document.getElementById("stopped").textContent };
  }
}

function showError(phone, answer) {
  const error = phone.querySelector(".error");
  error.hidden = answer.ok !== false;
  error.textContent = answer.ok === false ? answer.error : "";
}

function bubble(phone, message) {
  const item = document.createElement("div");
  item.className = "bubble " + (message.mine ? "mine" : "bot");
  item.dataset.id = String(message.id);
  const body = document.createElement("div");
  body.className = "text";
  if (message.html !== undefined) {
    body.innerHTML = message.html; // Telegram's formatting, escaped by the server
  } else {
    body.textContent = message.text; // Zalo shows plain text
  }
  item.appendChild(body);
  if (message.file) {
    const link = document.createElement("a");
    link.className = "file";
    link.href = message.file.url;
    link.textContent = "📎 " + message.file.name;
    link.target = "_blank";
    link.rel = "noopener";
    item.appendChild(link);
  }
  for (const row of message.buttons || []) {
    const line = document.createElement("div");
    line.className = "keyboard";
    for (const button of row) {
      const element = document.createElement(button.url ? "a" : "button");
      element.textContent = button.text;
      if (button.url) {
        element.href = button.url;
        element.target = "_blank";
        element.rel = "noopener";
      } else {
        element.type = "button";
        element.addEventListener("click", async () => {
          const answer = await post("/demo/api/press", {
            persona: phone.dataset.persona, message_id: message.id, data: button.data,
          });
          showError(phone, answer);
          refresh();
        });
      }
      line.appendChild(element);
    }
    item.appendChild(line);
  }
  return item;
}

function render(chats) {
  for (const phone of document.querySelectorAll(".phone")) {
    const messages = chats[phone.dataset.persona] || [];
    const signature = JSON.stringify(messages);
    if (shown[phone.dataset.persona] === signature) continue;
    shown[phone.dataset.persona] = signature;
    const list = phone.querySelector(".messages");
    list.replaceChildren(...messages.map((m) => bubble(phone, m)));
    list.scrollTop = list.scrollHeight;
  }
}

async function refresh() {
  try {
    const response = await fetch("/demo/api/chats");
    const answer = await response.json();
    answering(true);
    document.getElementById("clock").textContent = answer.clock;
    render(answer.chats);
  } catch (error) {
    answering(false); // the demo stopped or restarts: the next poll tries again
  }
}

for (const phone of document.querySelectorAll(".phone")) {
  phone.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = phone.querySelector("input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    const answer = await post("/demo/api/say", { persona: phone.dataset.persona, text });
    if (answer.ok === false && !input.value) input.value = text; // not sent: nothing lost
    showError(phone, answer);
    refresh();
  });
}

document.getElementById("next-morning").addEventListener("click", async (event) => {
  event.target.disabled = true;
  try {
    const answer = await post("/demo/api/morning", {});
    if (answer.clock) document.getElementById("clock").textContent = answer.clock;
  } finally {
    event.target.disabled = false;
  }
  refresh();
});

refresh();
setInterval(refresh, POLL_MS);
