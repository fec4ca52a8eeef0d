// The Mini App: hand Telegram's signed initData to the server, which opens a session.
// Without it (opened outside Telegram, or Telegram's script did not load) the page keeps
// saying how to sign in.
"use strict";
(() => {
  const app = window.Telegram && window.Telegram.WebApp;
  if (!app || !app.initData) {
    return;
  }
  app.ready();
  document.getElementById("miniapp-outside").hidden = true;
  document.getElementById("init-data").value = app.initData;
  document.getElementById("miniapp-login").submit();
})();
