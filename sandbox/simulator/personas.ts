/**
 * An organisation's personas. AlayaCare activates a supply persona and a demand persona per
 * organisation, independently (organizations API: `.../supply_persona/activate`,
 * `.../demand_persona/activate`), so one organisation with one login may hold both: its inbox
 * shows the offers matched to it, its outbox the offers it posted. The simulator uses the
 * organisation id as the id of each of its personas.
 */
export type Persona = 'supply' | 'demand';

/** Which personas an organisation holds: one of them, or `both`. */
export type OrganizationKind = Persona | 'both';

export const hasPersona = (kind: OrganizationKind | undefined, persona: Persona): boolean =>
  kind === persona || kind === 'both';
