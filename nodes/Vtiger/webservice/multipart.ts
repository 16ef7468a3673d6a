import { randomBytes } from 'node:crypto';

/** A file sent to Vtiger as a multipart upload (Documents read it from `$_FILES`). */
export interface VtigerUploadFile {
	vtigerUpload: true;
	content: Buffer;
	fileName: string;
	mimeType: string;
}

export function uploadFile(content: Buffer, fileName: string, mimeType: string): VtigerUploadFile {
	return { vtigerUpload: true, content, fileName, mimeType };
}

export function isUploadFile(value: unknown): value is VtigerUploadFile {
	return typeof value === 'object' && value !== null && (value as VtigerUploadFile).vtigerUpload === true;
}

function quoted(text: string): string {
	return text.replace(/["\r\n\\]/g, (char) => encodeURIComponent(char));
}

/** A multipart/form-data body: the text parameters, then each file under its parameter name. */
export function multipartBody(
	fields: Record<string, string>,
	files: Record<string, VtigerUploadFile>,
): { body: Buffer; contentType: string } {
	const boundary = `----n8nVtiger${randomBytes(12).toString('hex')}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`));
	}
	for (const [name, file] of Object.entries(files)) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"; filename="${quoted(file.fileName)}"\r\n` +
					`Content-Type: ${file.mimeType || 'application/octet-stream'}\r\n\r\n`,
			),
			file.content,
			Buffer.from('\r\n'),
		);
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
