/**
 * Users paste the CRM address in many shapes: `https://crm.example.com`, with a trailing `/`,
 * or the full `https://crm.example.com/webservice.php`. Everything talks to
 * `<base>/webservice.php`, so the base is the URL without those endings.
 */
export const VTIGER_URL_SUFFIX = /(?:\/webservice\.php)?\/*$/i;

export function normalizeBaseUrl(url: unknown): string {
	return String(url ?? '')
		.trim()
		.replace(VTIGER_URL_SUFFIX, '');
}

export function webserviceUrl(url: unknown): string {
	return `${normalizeBaseUrl(url)}/webservice.php`;
}

/**
 * The same normalisation as `normalizeBaseUrl`, as an n8n expression for a declarative node's
 * `requestDefaults.baseURL` and the credential test (both evaluate it with `$credentials`).
 */
export const VTIGER_BASE_URL_EXPRESSION = `={{ String($credentials.url || '').trim().replace(${VTIGER_URL_SUFFIX.toString()}, '') }}`;
