import * as v from 'valibot';

/**
 * A link to an offer in the AlayaCare web app, `{offerId}` standing for the offer's id, e.g.
 * `https://<your-instance>/marketplace/offers/{offerId}`. AlayaCare does not publish the web app's
 * URLs (each organisation has its own instance), so the connector never guesses one: without a
 * template, notifications carry no link. The id goes after the host, never in it, and the whole
 * stays short because it travels in the worker's environment (4 KB for every variable). Apart from
 * `config.ts` (which re-exports it) because the worker checks its templates with it at start-up.
 * Surrounding spaces are trimmed.
 */
export const offerUrlTemplateSchema = v.pipe(
  v.string(),
  v.trim(),
  v.url(),
  v.maxLength(150),
  v.check(
    (url) => /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/\S*\{offerId\}/.test(url),
    'must be https://<host>/<path> with {offerId} in the path or query, e.g. https://<your-instance>/marketplace/offers/{offerId}',
  ),
);
