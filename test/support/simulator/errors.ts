/** Handled Vtiger errors (HTTP 200 envelope) and the two unhandled outcomes (HTTP 500 empty, plain text). */
export class WsError extends Error {
	constructor(
		public code: string | number,
		message: string,
	) {
		super(message);
	}
}

/** An unhandled PHP error: HTTP 500, empty body. */
export class Crash extends Error {}

/** checkFileAccess() dying: HTTP 200 text/html 'Sorry! Attempt to access restricted file.' */
export class PlainText extends Error {}

export const RESTRICTED = 'Sorry! Attempt to access restricted file.';
export const DENIED = 'Permission to perform the operation is denied';

export const denied = (): WsError => new WsError('ACCESS_DENIED', DENIED);
export const deniedForId = (): WsError => new WsError('ACCESS_DENIED', `${DENIED} for id`);
export const deniedForName = (name: string): WsError => new WsError('ACCESS_DENIED', `${DENIED} for name : ${name}`);
export const invalidId = (): WsError => new WsError('INVALID_ID_ATTRIBUTE', 'Id specified is incorrect');
export const unknownError = (): WsError => new WsError('INTERNAL_SERVER_ERROR', 'Unknown Error while processing request');
export const mandatory = (field: string): WsError => new WsError('MANDATORY_FIELDS_MISSING', `${field} does not have a value`);
