// Baton's built-in agent inbox: sign in with an agent token, watch the site's queue, open a
// conversation live, claim, reply, transfer to another queue and resolve. Everything a customer
// or host page supplied is rendered as text (textContent), never HTML.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var auth = JSON.parse(sessionStorage.getItem("baton-agent") || "null");
  var current = null; // { id, ws, lastSeq, status, queue }
  var queues = []; // the site's queues: { id, name, skills }
  var poll = null;

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: { "Authorization": "Bearer " + auth.token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.status === 409 && j.error && j.error.code === "claimed_by_other") {
          throw new Error(j.error.message.replace(/: send .*$/, "") + ": take it over first");
        }
        if (!r.ok) throw new Error((j.error && j.error.message) || ("HTTP " + r.status));
        return j;
      });
    });
  }

  function text(tag, cls, value) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = value == null ? "" : String(value);
    return e;
  }

  var statusWords = { queued: "waiting", reopened: "reopened", with_agent: "with agent", resolved: "resolved", escalating: "escalating", async: "async", ai_mode: "AI" };

  var beat = null;
  function sendPresence() {
    if (!auth) return Promise.resolve();
    var skills = $("skills").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    return api("POST", "/v1/sites/" + encodeURIComponent(auth.site) + "/presence", {
      name: auth.name, online: $("online").checked, skills: skills, capacity: Number($("capacity").value) || 3
    }).then(function () { $("presence").removeAttribute("data-error"); })
      .catch(function (e) { $("presence").setAttribute("data-error", e.message); });
  }

  function showDesk() {
    $("signin").hidden = true;
    $("desk").hidden = false;
    $("signout").hidden = false;
    $("presence").hidden = false;
    $("who").textContent = auth.name + " · " + auth.site;
    sendPresence().then(refreshQueue);
    loadQueues();
    watchQueue();
    poll = setInterval(refreshQueue, 15000);
    beat = setInterval(sendPresence, 30000);
    openLinked();
  }
  ["online", "skills", "capacity"].forEach(function (id) { $(id).addEventListener("change", sendPresence); });
  $("presence").addEventListener("submit", function (e) { e.preventDefault(); sendPresence(); });

  function renderQueue(items) {
    var list = $("queue-list");
    list.textContent = "";
    $("queue-empty").hidden = items.length > 0;
    items.forEach(function (it) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("data-conversation", it.id);
      if (current && current.id === it.id) b.setAttribute("aria-current", "true");
      b.appendChild(text("span", "item-status", statusWords[it.status] || it.status));
      b.appendChild(text("span", "item-topic", it.customer + " · " + it.topic));
      b.appendChild(text("span", "item-summary", it.last_message));
      if (it.position) {
        var mins = Math.max(1, Math.round((it.wait_seconds || 0) / 60));
        b.appendChild(text("span", "item-wait", "#" + it.position + " in " + it.queue_name + " · about " + mins + " min"));
      } else if (it.agent) {
        b.appendChild(text("span", "item-wait", it.agent === auth.name ? "assigned to you" : "with " + it.agent));
      }
      if (it.delivery_failed) b.appendChild(text("span", "item-failed", "Not in the helpdesk: " + it.delivery_failed));
      b.addEventListener("click", function () { openConversation(it.id); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function refreshQueue() {
    if (!auth) return;
    api("GET", "/v1/sites/" + encodeURIComponent(auth.site) + "/inbox").then(renderQueue).catch(function (e) {
      if (/token/.test(e.message)) signOut(e.message);
    });
  }

  // The queue is pushed over a WebSocket; polling stays as a slow safety net.
  var queueSocket = null;
  function watchQueue() {
    if (!auth) return;
    var url = location.origin.replace(/^http/, "ws") + "/v1/sites/" + encodeURIComponent(auth.site) +
      "/inbox/live?token=" + encodeURIComponent(auth.token);
    var ws = new WebSocket(url);
    queueSocket = ws;
    ws.onmessage = function (m) {
      var msg = JSON.parse(m.data);
      if (msg.kind === "queue") renderQueue(msg.entries);
    };
    ws.onclose = function () {
      if (queueSocket === ws && auth) setTimeout(watchQueue, 2000);
    };
  }

  function loadQueues() {
    return api("GET", "/v1/sites/" + encodeURIComponent(auth.site) + "/queues").then(function (list) {
      queues = list;
      renderTransfer();
    }).catch(function () { queues = []; renderTransfer(); });
  }

  // The transfer control: every queue but the one the conversation already waits in.
  function renderTransfer() {
    var select = $("transfer-queue");
    var keep = select.value;
    select.textContent = "";
    var waiting = current && (current.status === "queued" || current.status === "reopened");
    var movable = current && (waiting || current.status === "with_agent");
    queues.forEach(function (q) {
      var o = document.createElement("option");
      o.value = q.id;
      o.textContent = q.name + (q.skills && q.skills.length ? " (" + q.skills.join(", ") + ")" : "");
      if (waiting && current.queue === q.name) o.disabled = true;
      select.appendChild(o);
    });
    var options = [].slice.call(select.options);
    var chosen = options.filter(function (o) { return o.value === keep && !o.disabled; })[0] ||
      options.filter(function (o) { return !o.disabled; })[0];
    if (chosen) select.value = chosen.value;
    select.disabled = !movable || !chosen;
    $("transfer").disabled = !movable || !chosen;
  }

  function setStatus(status, agent, queue) {
    $("detail-status").textContent = (statusWords[status] || status) + (agent ? " · " + agent : "") +
      (queue ? " · " + queue : "");
    $("detail").setAttribute("data-status", status);
    var mine = status === "with_agent" && agent === auth.name;
    var theirs = status === "with_agent" && agent && agent !== auth.name;
    $("claim").disabled = mine || status === "resolved";
    // Someone else has it: the button says so, and takes it over only when pressed.
    $("claim").textContent = theirs ? "Take over from " + agent : "Claim";
    $("claim").setAttribute("data-take-over", theirs ? "true" : "false");
    $("resolve").disabled = status === "resolved";
    if (current) { current.status = status; if (queue) current.queue = queue; }
    renderTransfer();
  }

  // A labelled row of the context list that stays hidden while it has nothing to say.
  function setRow(id, lines) {
    var dd = $(id);
    dd.textContent = "";
    lines.forEach(function (line) { dd.appendChild(text("div", "", line)); });
    dd.hidden = $(id + "-label").hidden = lines.length === 0;
  }

  function addEvent(ev) {
    if (!current || ev.seq <= current.lastSeq) return;
    current.lastSeq = ev.seq;
    if (ev.kind === "message") {
      var li = document.createElement("li");
      li.className = ev.author;
      var who = ev.author === "customer" ? "Customer" : ev.author === "ai" ? "AI" : ev.author === "agent" ? (ev.name || "Agent") : "Baton";
      li.appendChild(text("span", "author", who + ":"));
      li.appendChild(text("span", "body", ev.text));
      $("transcript").appendChild(li);
      $("transcript").scrollTop = $("transcript").scrollHeight;
    } else if (ev.kind === "status") {
      setStatus(ev.status, ev.agent, ev.queue);
    }
  }

  function openConversation(id) {
    if (current && current.ws) { current.closing = true; current.ws.close(); }
    current = { id: id, lastSeq: 0, ws: null, status: null, queue: null };
    $("transcript").textContent = "";
    $("detail-error").textContent = "";
    $("detail").hidden = false;
    api("GET", "/v1/conversations/" + id).then(function (c) {
      if (!current || current.id !== id) return;
      $("detail-title").textContent = c.topic ? "About " + c.topic : "Conversation";
      $("detail-summary").textContent = c.summary || "";
      $("detail-reason").textContent = (c.reason || "") + (c.segment ? " · segment " + c.segment : "") +
        (c.priority && c.priority !== "normal" ? " · " + c.priority + " priority" : "") + (c.ticket ? " · ticket " + c.ticket : "") +
        (c.expected ? " · answer " + c.expected : "") +
        (c.contact ? " · reach at " + c.contact : c.awaiting_contact ? " · waiting for the customer's " + c.awaiting_contact : "") +
        (c.helpdesk ? " · " + c.helpdesk.label : "");
      var u = c.user || {};
      $("detail-customer").textContent = ([u.name, u.email, u.plan && u.plan + " plan", u.tier && u.tier + " tier",
        u.account_id && "account " + u.account_id].filter(Boolean).join(" · ") || "Visitor") +
        (u.verified ? " · verified" : " · not verified");
      var page = c.page || {};
      $("detail-page").textContent = (page.title ? page.title + " — " : "") + (page.url || "");
      showPageContext(c.page_context || {});
      setRow("detail-transfers", (c.transfers || []).map(function (t) {
        return (t.from || "unrouted") + " → " + t.to + " by " + t.agent + ", " + new Date(t.at).toLocaleString();
      }));
      setRow("detail-delivery", c.delivery_failed ? [c.delivery_failed + " — the conversation stays here; answer it in this inbox or open the ticket by hand."] : []);
      setRow("detail-notices", (c.notices || []).map(function (n) {
        return n.connector + " · " + n.event.replace(/_/g, " ") + " · " + n.status + (n.detail ? ": " + n.detail : "");
      }));
      current.queue = c.queue;
      setStatus(c.status, c.agent, c.queue);
      c.events.forEach(addEvent);
      connect(id);
    }).catch(function (e) { $("detail-error").textContent = e.message; });
    refreshQueue();
  }

  // The customer's journey (routes visited, oldest first) and what the page exposed, as text.
  function showPageContext(p) {
    var journey = $("detail-journey"), state = $("detail-state");
    journey.textContent = "";
    state.textContent = "";
    (p.route_history || []).forEach(function (r) { journey.appendChild(text("li", "", r)); });
    if (!journey.children.length) journey.appendChild(text("li", "muted", "no earlier pages"));
    var lines = [];
    if (p.product_area) lines.push("Product area: " + p.product_area);
    if (p.form_step) lines.push("Form step: " + p.form_step);
    Object.keys(p.ui_state || {}).forEach(function (k) { lines.push(k.replace(/_/g, " ") + ": " + p.ui_state[k]); });
    if ((p.recent_actions || []).length) lines.push("Recent actions: " + p.recent_actions.join(", "));
    if ((p.js_errors || []).length) lines.push("Page errors: " + p.js_errors.join(" | "));
    var device = [p.viewport ? p.viewport.width + "×" + p.viewport.height : "", p.language, p.time_zone].filter(Boolean);
    if (device.length) lines.push("Device: " + device.join(" · "));
    lines.forEach(function (l) { state.appendChild(text("li", "", l)); });
  }

  function connect(id) {
    var url = location.origin.replace(/^http/, "ws") + "/v1/conversations/" + id + "/live?role=agent&token=" +
      encodeURIComponent(auth.token) + "&name=" + encodeURIComponent(auth.name) + "&since=" + current.lastSeq;
    var ws = new WebSocket(url);
    var mine = current;
    mine.ws = ws;
    ws.onmessage = function (m) {
      var ev = JSON.parse(m.data);
      if (ev.kind === "error") { $("detail-error").textContent = ev.message; return; }
      if (current === mine) addEvent(ev);
    };
    ws.onclose = function () {
      if (current === mine && !mine.closing) setTimeout(function () { if (current === mine) connect(id); }, 1000);
    };
  }

  function act(action, body) {
    if (!current) return Promise.resolve();
    $("detail-error").textContent = "";
    body = body || {};
    body.agent = auth.name;
    return api("POST", "/v1/conversations/" + current.id + "/" + action, body)
      .then(function () { refreshQueue(); return true; })
      .catch(function (e) { $("detail-error").textContent = e.message; return false; });
  }

  function signOut(reason) {
    if (auth && !reason) { $("online").checked = false; sendPresence(); }
    sessionStorage.removeItem("baton-agent");
    if (poll) clearInterval(poll);
    if (beat) clearInterval(beat);
    if (queueSocket) { var q = queueSocket; queueSocket = null; q.close(); }
    $("presence").hidden = true;
    location.hash = "";
    auth = null;
    $("desk").hidden = true;
    $("signin").hidden = false;
    $("signout").hidden = true;
    $("who").textContent = "";
    $("signin-error").textContent = reason || "";
  }

  $("signin").addEventListener("submit", function (e) {
    e.preventDefault();
    auth = { name: $("agent-name").value.trim(), token: $("agent-token").value.trim(), site: $("site").value.trim() };
    api("GET", "/v1/sites/" + encodeURIComponent(auth.site) + "/inbox").then(function () {
      sessionStorage.setItem("baton-agent", JSON.stringify(auth));
      $("signin-error").textContent = "";
      showDesk();
    }).catch(function (err) { auth = null; $("signin-error").textContent = err.message; });
  });
  $("signout").addEventListener("click", function () { signOut(""); });
  $("claim").addEventListener("click", function () {
    act("claim", $("claim").getAttribute("data-take-over") === "true" ? { take_over: true } : {});
  });
  $("resolve").addEventListener("click", function () { act("resolve"); });
  $("transfer").addEventListener("click", function () {
    var q = $("transfer-queue").value;
    if (q) act("transfer", { queue: q }).then(function (ok) { if (ok && current) openConversation(current.id); });
  });
  $("reply-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var t = $("reply").value.trim();
    if (!t) return;
    act("reply", { text: t }).then(function (ok) { if (ok) $("reply").value = ""; });
  });
  $("reply").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("reply-form").requestSubmit(); }
  });

  // Links from notifications: /inbox?site=SITE#conversation=ID opens that conversation.
  var linkSite = new URLSearchParams(location.search).get("site");
  if (linkSite && !auth) $("site").value = linkSite;
  function openLinked() {
    var m = /^#conversation=([0-9a-f]{32})$/.exec(location.hash);
    if (m && auth && (!linkSite || linkSite === auth.site)) openConversation(m[1]);
  }
  window.addEventListener("hashchange", openLinked);

  if (auth) showDesk();
})();
