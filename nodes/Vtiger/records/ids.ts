/**
 * Vtiger record ids are `<prefix>x<crmid>`; the prefix is the module's webservice entity id
 * (`describe` → `idPrefix`), e.g. Contacts `12x87`, Users `19x1`, Groups `20x3`.
 */
export const RECORD_ID = /^\d+x\d+$/;
export const CRM_ID = /^\d+$/;

/** Owner fields take a user (19x…) or a group (20x…) (04_query.jsonl, "owner field with group id"). */
export const OWNER_ID_PREFIXES = ['19', '20'];

export function isRecordId(value: string): boolean {
	return RECORD_ID.test(value);
}

export function prefixOf(id: string): string {
	return id.split('x')[0];
}

export function crmIdOf(id: string): string {
	return id.includes('x') ? id.split('x')[1] : id;
}

/** `87` becomes `<idPrefix>x87`; `12x87` stays; anything else is undefined. */
export function completeRecordId(value: string, idPrefix: string): string | undefined {
	const id = value.trim();
	if (RECORD_ID.test(id)) return id;
	if (CRM_ID.test(id) && idPrefix) return `${idPrefix}x${id}`;
	return undefined;
}

/** The module and crmid of a CRM detail-view link such as `…/index.php?module=Contacts&view=Detail&record=87`. */
export function parseRecordUrl(url: string): { module?: string; crmId: string } | undefined {
	const query = url.trim().split('?')[1];
	if (!query) return undefined;
	let module: string | undefined;
	let crmId: string | undefined;
	for (const pair of query.split('#')[0].split('&')) {
		const [key, raw = ''] = pair.split('=');
		let value = raw;
		try {
			value = decodeURIComponent(raw.replace(/\+/g, ' '));
		} catch {
			value = raw;
		}
		if (key === 'module') module = value;
		if (key === 'record') crmId = value;
	}
	if (!crmId || !(CRM_ID.test(crmId) || RECORD_ID.test(crmId))) return undefined;
	return { module, crmId: crmIdOf(crmId) };
}

/** The detail-view link of a record in the CRM's web interface. */
export function recordUrl(baseUrl: string, module: string, id: string): string {
	return `${baseUrl}/index.php?module=${encodeURIComponent(module)}&view=Detail&record=${crmIdOf(id)}`;
}
