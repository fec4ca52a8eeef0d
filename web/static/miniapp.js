// The Mini App: hand Telegram's signed initData to the server, which opens a session.
"use strict";
(() => {
  const app = window.Telegram && window.Telegram.WebApp;
  if (!app || !app.initData) {
    return;
  }
  app.ready();
  document.getElementById("init-data").value = app.initData;
  document.getElementById("miniapp-login").submit();
})();
