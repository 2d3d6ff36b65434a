// Fake vendor servers for the end-to-end tests. See docs in tests/fakes/README.md.
export { startZendesk, zendeskWebhooks } from "./zendesk.mjs";
export { startFreshdesk, freshdeskWebhooks } from "./freshdesk.mjs";
export { startIntercom, intercomWebhooks } from "./intercom.mjs";
export { startSlack } from "./slack.mjs";
export { startLinear } from "./linear.mjs";
export { startHubspot } from "./hubspot.mjs";
export { startWebhookReceiver, newWebhookSecret, signStandard } from "./webhook.mjs";
export { startOpenAi } from "./openai.mjs";
export { startBot } from "./bot.mjs";
import { startZendesk } from "./zendesk.mjs";
import { startFreshdesk } from "./freshdesk.mjs";
import { startIntercom } from "./intercom.mjs";
import { startSlack } from "./slack.mjs";
import { startLinear } from "./linear.mjs";
import { startHubspot } from "./hubspot.mjs";
import { startWebhookReceiver } from "./webhook.mjs";

/** Start every fake (options per vendor by name). `all.close()` stops them; `all.assertNoViolations()` checks them all. */
export async function startAllFakes(opts = {}) {
  const all = {
    zendesk: await startZendesk(opts.zendesk),
    freshdesk: await startFreshdesk(opts.freshdesk),
    intercom: await startIntercom(opts.intercom),
    slack: await startSlack(opts.slack),
    linear: await startLinear(opts.linear),
    hubspot: await startHubspot(opts.hubspot),
    webhook: await startWebhookReceiver(opts.webhook),
  };
  const list = Object.values(all);
  return Object.assign(all, {
    async close() { await Promise.all(list.map((f) => f.close())); },
    assertNoViolations() { for (const f of list) f.assertNoViolations(); },
  });
}
