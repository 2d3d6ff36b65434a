// Baton loader: the only script a host page downloads before the chat opens.
// It draws the launcher in a shadow root with the site's colours and label, keeps `Baton(...)`
// calls in a queue, records the page's route history, clicks and (if the site opts in) errors
// from the start, and loads the wasm widget only when wanted: on first open, when the pointer
// or focus reaches the launcher, or at once when this tab is already in a conversation.
// It defines no global but `Baton`.
(function () {
  var script = document.currentScript;
  var prior = window.Baton;
  if (!script || (prior && prior.loaded)) return;
  var base = new URL(script.src, location.href).origin;
  var queued = (prior && prior.q) || [];
  var listeners = {};
  var recorded = { routes: [location.href], clicks: [], errors: [] };
  var opts = { site: script.getAttribute("data-site") || "", api: base, user: null, context: {},
    config: null, recorded: recorded, emit: emit, onchange: null };
  var widget = null, loading = null, wantOpen = false, host, root, launcher, unhook = [];

  function emit(name, detail) {
    if (name == "close") { wantOpen = false; remember(0); }
    (listeners[name] || []).forEach(function (cb) {
      try { cb(detail); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }
  function keep(list, item, max) { list.push(item); if (list.length > max) list.shift(); }
  function changed() { if (opts.onchange) opts.onchange(); }
  function listen(target, type, fn, capture) {
    target.addEventListener(type, fn, capture);
    unhook.push(function () { target.removeEventListener(type, fn, capture); });
  }

  // Route history: single-page apps change the URL with pushState/replaceState or go back with
  // popstate; the wrappers call the page's own functions unchanged.
  function route() {
    var routes = recorded.routes;
    if (routes[routes.length - 1] !== location.href) { keep(routes, location.href, 10); changed(); }
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () { var r = original.apply(this, arguments); route(); return r; };
    unhook.push(function () { history[name] = original; });
  });
  listen(window, "popstate", route);
  listen(window, "hashchange", route);
  // Clicks on buttons and links: their label only, never what anyone typed.
  listen(document, "click", function (e) {
    var t = e.target && e.target.closest && e.target.closest("button,a,[role=button],input[type=submit],input[type=button]");
    if (!t || (host && host.contains(t))) return;
    var label = (t.getAttribute("aria-label") || t.innerText || t.value || "").replace(/\s+/g, " ").trim().slice(0, 60);
    if (label) { keep(recorded.clicks, { label: label, el: t }, 5); changed(); }
  }, true);
  // Uncaught errors stay in memory and leave the page only if the site opts in.
  function error(e) { keep(recorded.errors, String(e.message || e.reason && e.reason.message || e.reason).slice(0, 200), 5); }
  listen(window, "error", error);
  listen(window, "unhandledrejection", error);

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
        loading = null;
        launcher.setAttribute("aria-busy", "false");
        console.error("Baton: the chat could not load", e);
      });
    }
    return loading;
  }
  // Whether the panel is open survives navigation in the tab.
  function remember(on) {
    try { sessionStorage[on ? "setItem" : "removeItem"]("baton:" + opts.site + ":open", 1); } catch (e) {}
  }
  function open() {
    wantOpen = true;
    remember(1);
    if (!host) return;
    if (!widget) { launcher.setAttribute("aria-busy", "true"); load(); return; }
    widget.open();
    host.setAttribute("data-open", "");
    emit("open", {});
  }
  function close() {
    if (widget) widget.close();
    if (host) host.removeAttribute("data-open");
    emit("close", {});
  }
  function command(args) {
    var name = args[0], arg = args[1];
    switch (name) {
      case "boot": if (arg && arg.site) opts.site = arg.site; if (arg && arg.user) opts.user = arg.user; attach(); break;
      case "identify": opts.user = arg || null; if (widget) widget.identify(arg); break;
      case "setContext": opts.context = Object.assign({}, opts.context, arg); if (widget) widget.setContext(opts.context); break;
      case "open": open(); break;
      case "close": close(); break;
      case "on": (listeners[arg] = listeners[arg] || []).push(args[2]); break;
      case "shutdown":
        if (widget) widget.destroy();
        if (host) host.remove();
        unhook.forEach(function (f) { f(); });
        widget = host = null;
        delete window.Baton;
        break;
      default: console.warn("Baton: unknown command " + name);
    }
  }

  function Baton() { command([].slice.call(arguments)); }
  Baton.loaded = true;
  window.Baton = Baton;

  function theme(c) {
    if (!c) return;
    if (c.launcher_label && !script.getAttribute("data-label")) launcher.textContent = c.launcher_label;
    if (/^#([0-9a-f]{3}){1,2}$/i.test(c.accent_color || "")) host.style.setProperty("--baton-accent", c.accent_color);
    if (c.position === "bottom-left") host.setAttribute("data-left", "");
  }
  function attach() {
    if (host || !opts.site || !document.body) return;
    host = document.createElement("div");
    host.setAttribute("data-baton", "");
    root = host.attachShadow({ mode: "open" });
    var css =
      ":host{all:initial}" +
      ".launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;border:0;border-radius:24px;" +
      "padding:12px 18px;font:600 15px/1.2 system-ui,sans-serif;color:#fff;background:var(--baton-accent,#4338ca);" +
      "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
      ":host([data-left]) .launcher{right:auto;left:20px}" +
      ".launcher:focus-visible{outline:3px solid #111;outline-offset:2px}" +
      ":host([data-open]) .launcher{display:none}";
    // A constructed sheet is CSSOM, so a strict style-src needs no 'unsafe-inline'
    // (every browser since 2023 has them).
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
    launcher = document.createElement("button");
    launcher.className = "launcher";
    launcher.type = "button";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.textContent = script.getAttribute("data-label") || "Chat with us";
    launcher.addEventListener("click", open);
    launcher.addEventListener("pointerenter", load);
    launcher.addEventListener("focus", load);
    root.appendChild(launcher);
    document.body.appendChild(host);
    fetch(base + "/v1/sites/" + encodeURIComponent(opts.site) + "/widget").then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (c) { opts.config = c; theme(c); }, function () {});
    // A conversation in progress in this tab (after a navigation or reload) comes back at once,
    // open if it was open.
    try {
      var key = "baton:" + opts.site;
      if (sessionStorage.getItem(key + ":open")) wantOpen = true;
      if (sessionStorage.getItem(key)) load();
    } catch (e) {}
    if (wantOpen) open();
  }
  function start() {
    queued.forEach(function (a) { command([].slice.call(a)); });
    attach();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
