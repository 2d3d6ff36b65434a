// Baton loader: the only script a host page downloads before the chat opens.
// It draws the launcher in a shadow root with the site's colours and label, keeps `Baton(...)`
// calls in a queue, records the page's route history, clicks and (if the site opts in) errors
// from the start, and loads the wasm widget only when wanted: on first open, when the pointer
// or focus reaches the launcher, or at once when this tab is already in a conversation.
// It defines no global but `Baton`.
(function () {
  var script = document.currentScript;
  var prior = window.Baton;
  if (!script || prior?.loaded) return;
  var base = new URL(script.src).origin;
  var queued = prior?.q || [];
  var listeners = {};
  var recorded = { routes: [location.href], clicks: [], errors: [] };
  // Also `user`, `config` and (set by the widget) `onchange`, once known.
  var opts = { site: script.dataset.site || "", api: base, context: {}, recorded: recorded,
    emit: emit };
  var widget, loading, wantOpen, ready, host, root, launcher, unhook = [];

  function emit(name, detail) {
    if (name == "close") { wantOpen = false; remember(0); }
    (listeners[name] || []).forEach((cb) => {
      try { cb(detail); } catch (e) { reportError(e); }
    });
  }
  function keep(list, item, max) { list.push(item); if (list.length > max) list.shift(); }
  function changed() { opts.onchange?.(); }
  function listen(target, type, fn, capture) {
    target.addEventListener(type, fn, capture);
    unhook.push(() => target.removeEventListener(type, fn, capture));
  }

  // Route history: single-page apps change the URL with pushState/replaceState or go back with
  // popstate (which links to #fragments fire too); the wrappers call the page's own functions
  // unchanged.
  function route() {
    if (recorded.routes.at(-1) !== location.href) { keep(recorded.routes, location.href, 10); changed(); }
  }
  ["pushState", "replaceState"].forEach((name) => {
    var original = history[name];
    history[name] = function () { var r = original.apply(this, arguments); route(); return r; };
    unhook.push(() => { history[name] = original; });
  });
  listen(window, "popstate", route);
  // Clicks on buttons and links: their label only, never what anyone typed.
  listen(document, "click", (e) => {
    var t = e.target.closest?.("button,a,[role=button],[type=submit],[type=button]");
    if (!t || host?.contains(t)) return;
    var label = (t.getAttribute("aria-label") || t.innerText || t.value || "").replace(/\s+/g, " ").trim().slice(0, 60);
    if (label) { keep(recorded.clicks, { label: label, el: t }, 5); changed(); }
  }, true);
  // Uncaught errors stay in memory and leave the page only if the site opts in.
  function error(e) { keep(recorded.errors, String(e.message || e.reason?.message || e.reason).slice(0, 200), 5); }
  listen(window, "error", error);
  listen(window, "unhandledrejection", error);

  function load() {
    if (!loading) {
      loading = import(base + "/widget/baton_widget.js").then((m) =>
        // The glue finds its wasm next to itself (/widget/baton_widget_bg.wasm).
        m.default().then(() => {
          widget = m.mount(root, opts);
          launcher.ariaBusy = "false";
          if (wantOpen) open();
          emit("ready", {});
          return widget;
        }));
      loading.catch((e) => {
        loading = null;
        launcher.ariaBusy = "false";
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
    // Asked for before the launcher is drawn: draw it now (attach opens it).
    if (!host) { ready = true; return attach(); }
    if (!widget) { launcher.ariaBusy = "true"; load(); return; }
    widget.open();
    host.dataset.open = "";
    emit("open", {});
  }
  function close() {
    widget?.close();
    if (host) delete host.dataset.open;
    emit("close", {});
  }
  // `args`: the arguments of one Baton(...) call (now, or queued before the loader ran).
  function command(args) {
    var name = args[0], arg = args[1];
    switch (name) {
      case "boot": if (arg?.site) opts.site = arg.site; if (arg?.user) opts.user = arg.user; attach(); break;
      case "identify": opts.user = arg || null; widget?.identify(arg); break;
      case "setContext": opts.context = { ...opts.context, ...arg }; widget?.setContext(opts.context); break;
      case "open": open(); break;
      case "close": close(); break;
      case "on": (listeners[arg] ||= []).push(args[2]); break;
      case "shutdown":
        widget?.destroy();
        host?.remove();
        unhook.forEach((f) => f());
        widget = host = null;
        delete window.Baton;
        break;
      default: console.warn("Baton: unknown command " + name);
    }
  }

  function Baton() { command(arguments); }
  Baton.loaded = true;
  window.Baton = Baton;

  function theme(c) {
    if (!c) return;
    if (c.launcher_label && !script.dataset.label) launcher.textContent = c.launcher_label;
    if (/^#([0-9a-f]{3}){1,2}$/i.test(c.accent_color || "")) host.style.setProperty("--baton-accent", c.accent_color);
    if (c.position == "bottom-left") host.dataset.left = "";
  }
  function attach() {
    if (host || !ready || !opts.site || !document.body) return;
    host = document.createElement("div");
    host.dataset.baton = "";
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
    launcher.ariaHasPopup = "dialog";
    launcher.textContent = script.dataset.label || "Chat with us";
    launcher.addEventListener("click", open);
    launcher.addEventListener("pointerenter", load);
    launcher.addEventListener("focus", load);
    root.appendChild(launcher);
    document.body.appendChild(host);
    fetch(base + "/v1/sites/" + encodeURIComponent(opts.site) + "/widget")
      .then((r) => (r.ok ? r.json() : null))
      .then((c) => { opts.config = c; theme(c); }, () => {});
    // A conversation in progress in this tab comes back at once, open if it was open. Only a
    // reload, back/forward or a link from this site can continue one, and the first touch of
    // sessionStorage costs milliseconds, so other visits skip it (the widget still finds a
    // stored conversation when opened).
    if (performance.getEntriesByType("navigation")[0]?.type != "navigate" || document.referrer.startsWith(location.origin + "/")) try {
      var key = "baton:" + opts.site;
      if (sessionStorage.getItem(key + ":open")) wantOpen = true;
      if (sessionStorage.getItem(key)) load();
    } catch (e) {}
    if (wantOpen) open();
  }
  // Calls made before the loader ran, in order.
  queued.forEach(command);
  // The launcher, the config fetch and a resumed conversation wait until the page has loaded
  // and the main thread is idle: the host page's own start-up comes first. (Where there is no
  // requestIdleCallback, setTimeout reads the options object as a delay of 0.)
  function idle() {
    (window.requestIdleCallback || setTimeout)(() => { ready = true; attach(); }, { timeout: 2000 });
  }
  if (document.readyState == "complete") idle(); else listen(window, "load", idle);
})();
