/** Small image files for upload tests (engine and live). */

/** A 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Starts like that PNG (signature and IHDR chunk), then PHP: Vtiger 8.3.0's image check refuses it (lab). */
export const FAKE_PNG = Buffer.concat([PNG.subarray(0, 33), Buffer.from('<?php echo "not an image"; ?>')]);
