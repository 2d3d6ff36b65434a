// A small single-page app for the demo and the tests: views change with history.pushState,
// and the page tells Baton where the customer is through data-baton-* and setContext.
window.Baton = window.Baton || function () { (window.Baton.q = window.Baton.q || []).push(arguments); };
Baton("setContext", { workspace: "acme-prod" });

(function () {
  var views = {
    dashboard: { title: "Dashboard", body: "3 projects, 12 deploys this week.", area: "dashboard" },
    reports: { title: "Reports", body: "Usage by project, last 30 days.", area: "reports" },
    checkout: { title: "Upgrade to Business", body: "Three quick steps.", area: "billing" },
  };
  var step = 0;
  function render() {
    var name = new URLSearchParams(location.search).get("view") || "dashboard";
    var v = views[name] || views.dashboard;
    document.title = "Acme Cloud · " + v.title;
    document.getElementById("view-title").textContent = v.title;
    document.getElementById("view-body").textContent = v.body;
    document.getElementById("app").setAttribute("data-baton-product-area", v.area);
    var steps = document.getElementById("steps");
    var checkout = name === "checkout";
    steps.hidden = !checkout;
    document.getElementById("next").hidden = !checkout;
    Array.prototype.forEach.call(steps.children, function (li, i) {
      if (checkout && i === step) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
  }
  function go(name) {
    history.pushState({ view: name }, "", "/spa.html?view=" + name);
    step = 0;
    render();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-view]").forEach(function (a) {
      a.addEventListener("click", function (e) { e.preventDefault(); go(a.getAttribute("data-view")); });
    });
    document.getElementById("next").addEventListener("click", function () { step = Math.min(step + 1, 2); render(); });
    render();
  });
  window.addEventListener("popstate", render);
})();
