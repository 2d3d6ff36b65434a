// Baton loader: the only script a host page downloads before the chat opens.
// It draws the launcher in a shadow root, keeps `Baton(...)` calls in a queue, and loads the
// wasm widget on first open (or when the browser is idle). It defines no global but `Baton`.
(function () {
  var script = document.currentScript;
  if (!script || (window.Baton && window.Baton.loaded)) return;
  var site = script.getAttribute("data-site") || "";
  var base = new URL(script.src, location.href).origin;
  var queued = (window.Baton && window.Baton.q) || [];
  var listeners = {};
  var opts = { site: site, api: base, user: null, context: {}, emit: emit };
  var widget = null;
  var loading = null;
  var wantOpen = false;

  function emit(name, detail) {
    (listeners[name] || []).forEach(function (cb) {
      try { cb(detail); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function load() {
    if (!loading) {
      loading = import(base + "/widget/baton_widget.js").then(function (m) {
        return m.default({ module_or_path: base + "/widget/baton_widget_bg.wasm" }).then(function () {
          widget = m.mount(root, opts);
          launcher.setAttribute("aria-busy", "false");
          if (wantOpen) open();
          emit("ready", {});
          return widget;
        });
      });
      loading.catch(function (e) {
        launcher.setAttribute("aria-busy", "false");
        console.error("Baton: the chat could not load", e);
      });
    }
    return loading;
  }

  function open() {
    wantOpen = true;
    if (!widget) { launcher.setAttribute("aria-busy", "true"); load(); return; }
    widget.open();
    host.setAttribute("data-open", "");
    emit("open", {});
  }

  function close() {
    wantOpen = false;
    if (widget) widget.close();
    host.removeAttribute("data-open");
    emit("close", {});
  }

  function command(args) {
    var name = args[0], arg = args[1];
    switch (name) {
      case "boot": if (arg && arg.user) opts.user = arg.user; break;
      case "identify": opts.user = arg || null; if (widget) widget.identify(arg); break;
      case "setContext": opts.context = Object.assign({}, opts.context, arg); if (widget) widget.setContext(opts.context); break;
      case "open": open(); break;
      case "close": close(); break;
      case "on": (listeners[arg] = listeners[arg] || []).push(args[2]); break;
      case "shutdown": if (widget) widget.destroy(); host.remove(); break;
      default: console.warn("Baton: unknown command " + name + "; see the embed guide");
    }
  }

  function Baton() { command([].slice.call(arguments)); }
  Baton.loaded = true;
  window.Baton = Baton;

  var host = document.createElement("div");
  host.setAttribute("data-baton", "");
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent =
    ":host{all:initial}" +
    ".launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;border:0;border-radius:24px;" +
    "padding:12px 18px;font:600 15px/1.2 system-ui,sans-serif;color:#fff;background:var(--baton-accent,#4338ca);" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".launcher:focus-visible{outline:3px solid #111;outline-offset:2px}" +
    ":host([data-open]) .launcher{display:none}";
  var launcher = document.createElement("button");
  launcher.className = "launcher";
  launcher.type = "button";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.textContent = script.getAttribute("data-label") || "Chat with us";
  launcher.addEventListener("click", open);
  root.appendChild(style);
  root.appendChild(launcher);

  function attach() {
    document.body.appendChild(host);
    queued.forEach(command);
    if ("requestIdleCallback" in window) requestIdleCallback(function () { load(); }, { timeout: 5000 });
  }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
