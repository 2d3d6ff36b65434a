// The preview page boots the widget of the site named in ?site= (default: demo), through the
// same Baton(...) queue a host page uses when it cannot put data-site on the script tag.
window.Baton = window.Baton || function () { (window.Baton.q = window.Baton.q || []).push(arguments); };
Baton("boot", { site: new URLSearchParams(location.search).get("site") || "demo" });
