//! The widget's stylesheet, injected into its shadow root so host-page CSS cannot reach it.
//! Mode colours make AI mode and human mode visibly different.

/// CSS for the panel; `--baton-accent` is set from the site config.
pub const CSS: &str = r#"
.panel{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:min(380px,calc(100vw - 24px));
height:min(560px,calc(100vh - 40px));display:flex;flex-direction:column;background:#fff;color:#111;
border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.3);font:14px/1.45 system-ui,sans-serif;overflow:hidden;
color-scheme:light;text-align:start}
:host([data-left]) .panel{right:auto;left:20px}
.panel[hidden]{display:none}
.head{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--baton-accent,#4338ca);color:#fff}
.head h2{font-size:15px;margin:0;flex:1}
.badge{font-size:12px;padding:3px 8px;border-radius:10px;background:rgba(255,255,255,.2)}
.close{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}
.panel.human .head{background:#065f46}
.panel.resolved .head{background:#374151}
.avatar{width:28px;height:28px;border-radius:50%;background:#fff;color:#065f46;display:none;
align-items:center;justify-content:center;font-weight:700}
.panel.human .avatar{display:flex}
.notice{padding:8px 14px;background:#fef3c7;color:#78350f;font-size:13px}
.notice[hidden]{display:none}
.progress{padding:8px 14px;background:#ecfdf5;color:#064e3b;font-size:13px;border-bottom:1px solid #a7f3d0}
.progress[hidden],.typing[hidden],.csat[hidden]{display:none}
.typing{padding:0 14px 6px;font-size:12px;color:#4b5563;font-style:italic}
.csat{padding:10px 14px;border-top:1px solid #e5e7eb}
.csat fieldset{border:0;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}
.csat legend{font-weight:600;margin-bottom:6px}
.scores{display:flex;gap:6px}
.score{display:flex;align-items:center;gap:3px;padding:4px 8px;border:1px solid #9ca3af;border-radius:8px;cursor:pointer}
.csat textarea{font:inherit;padding:6px;border:1px solid #9ca3af;border-radius:8px;resize:vertical}
.csat button{align-self:flex-start;border:0;border-radius:8px;padding:6px 12px;background:var(--baton-accent,#4338ca);color:#fff;font-weight:600;cursor:pointer}
.csat-status{margin:6px 0 0;font-size:13px}
.msg a{color:#064e3b;text-decoration:underline}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg .who{display:block;font-size:11px;margin-bottom:2px}
.msg.customer{align-self:flex-end;background:var(--baton-accent,#4338ca);color:#fff}
.msg.ai{align-self:flex-start;background:#eef2ff}
.msg.agent{align-self:flex-start;background:#d1fae5}
.msg.system{align-self:center;background:#f3f4f6;color:#374151;font-size:13px;text-align:center;max-width:95%}
.composer{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb}
textarea{flex:1;resize:none;font:inherit;padding:8px;border:1px solid #9ca3af;border-radius:8px;min-height:38px;max-height:120px}
.composer button{border:0;border-radius:8px;padding:0 14px;background:var(--baton-accent,#4338ca);color:#fff;font-weight:600;cursor:pointer}
textarea{background:#fff;color:#111}
@media (prefers-reduced-motion:no-preference){.msg{animation:in .15s ease-out}@keyframes in{from{opacity:0;transform:translateY(4px)}}}
"#;
