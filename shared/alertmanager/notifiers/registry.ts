/**
 * @module
 * The one registry of receiver kinds: adding a kind is a module plus one line here.
 */
import { discord, msteams, telegram } from "./chat.ts";
import { email } from "./email.ts";
import { opsgenie, pagerduty } from "./incident.ts";
import { slack } from "./slack.ts";
import type { NotifierKind } from "./types.ts";
import { webhook } from "./webhook.ts";

export const NOTIFIERS: readonly NotifierKind[] = [discord, email, msteams, opsgenie, pagerduty, slack, telegram, webhook];

export function notifierKind(name: string): NotifierKind {
  const k = NOTIFIERS.find((n) => n.name === name);
  if (k === undefined) throw new Error(`unknown receiver kind ${name}`);
  return k;
}
