// DOM building for the widget (bundled into its glue): the panel's fixed structure, one message
// and the CSAT form. Text only ever goes in through `textContent` or attributes, never markup.

/** `<tag class=…>` with attributes from `[name, value, …]`, and its text if `text` is given. */
function el(tag, cls, attrs = [], text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (let i = 0; i < attrs.length; i += 2) e.setAttribute(attrs[i], attrs[i + 1]);
  if (text != null) e.textContent = text;
  return e;
}

/**
 * Attach `css` to `root` as a constructed stylesheet (CSSOM, so a strict `style-src` needs no
 * 'unsafe-inline'); browsers without constructable sheets get a `<style>` element.
 */
function adopt(root, css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch (e) {
    root.append(el("style", "", [], css));
  }
}

/**
 * Build the panel inside `root`, hidden until opened. Returns its parts in the order of the
 * Rust `View`'s fields: panel, title, badge, avatar, notice, progress, log, typing, csat, form,
 * input, send, close.
 */
export function buildPanel(root, css) {
  adopt(root, css);
  const panel = el("section", "panel", ["role", "dialog"]);
  const avatar = el("span", "avatar", ["aria-hidden", "true"]);
  const title = el("h2");
  const badge = el("span", "badge");
  const close = el("button", "close", ["type", "button"], "×");
  const notice = el("div", "notice", ["role", "status"]);
  const progress = el("div", "progress", ["role", "status"]);
  const log = el("div", "log", ["role", "log", "aria-live", "polite", "tabindex", "0"]);
  const typing = el("div", "typing");
  const csat = el("form", "csat");
  const form = el("form", "composer");
  const input = el("textarea", "", ["rows", "1", "maxlength", "4000"]);
  const send = el("button", "", ["type", "submit"]);
  panel.hidden = notice.hidden = progress.hidden = typing.hidden = csat.hidden = true;
  const head = el("div", "head");
  head.append(avatar, title, badge, close);
  form.append(input, send);
  panel.append(head, notice, progress, log, typing, csat, form);
  root.append(panel);
  return [panel, title, badge, avatar, notice, progress, log, typing, csat, form, input, send, close];
}

/**
 * Append a message (`msg <cls>`) with its author line `who` (none if empty) and an empty text
 * part to `log`; `addRun` fills the text part.
 */
export function messageItem(log, cls, who) {
  const item = el("div", "msg " + cls);
  if (who) item.append(el("span", "who", [], who));
  item.append(el("span", "text", ["dir", "auto"]));
  log.append(item);
  return item;
}

/**
 * Add a run of `text` to the text part of message `item`: a link (http(s) only, checked by the
 * caller) that opens in a new tab without the opener, or plain text.
 */
export function addRun(item, text, link) {
  item.lastChild.append(link ? el("a", "", ["href", text, "target", "_blank", "rel", "noopener noreferrer"], text) : text);
}

/**
 * Fill the CSAT form: five labelled choices (`scores[n - 1]` names choice n), an optional
 * comment and a send button, then an empty status line.
 */
export function buildCsat(form, question, names, comment, sendLabel) {
  form.textContent = "";
  const set = el("fieldset");
  const scores = el("div", "scores");
  for (let n = 1; n <= 5; n++) {
    const label = el("label", "score");
    label.append(
      el("input", "", ["type", "radio", "name", "score", "value", "" + n, "required", "", "aria-label", names[n - 1]]),
      el("span", "", [], "" + n),
    );
    scores.append(label);
  }
  set.append(
    el("legend", "", [], question),
    scores,
    el("textarea", "comment", ["aria-label", comment, "placeholder", comment, "maxlength", "1000", "rows", "2"]),
    el("button", "", ["type", "submit"], sendLabel),
  );
  form.append(set, el("p", "csat-status", ["role", "status"]));
}
