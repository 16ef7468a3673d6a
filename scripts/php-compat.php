<?php
/*
 * The names PHP's own `php -l` does not check: every function the given PHP files call and every class or type they
 * name must exist in the PHP that runs this script, be declared in those files, be Vtiger's (VTIGER_NAMES below),
 * or be a function the same file tests with function_exists('name'). Run under PHP 7.4 it fails on what PHP 8
 * added (str_contains, get_debug_type, array_is_list, ValueError, WeakMap, Stringable, the `mixed` type...): those
 * are valid PHP 7.4 syntax, so only a call on a PHP 7.4 server would show them (Call to undefined function).
 * Usage: php scripts/php-compat.php FILE-OR-FOLDER...   (bash scripts/php-check.sh runs it under PHP 7.4)
 * Prints each unknown name with its file and line, then one summary line; exits 1 when a name is unknown.
 */
error_reporting(-1);

// Vtiger's functions and classes the extension uses: a PHP 7.4 server has them through Vtiger, not through PHP (each
// is declared in Vtiger 8.3.0's source: data/, include/, includes/, modules/, vtlib/). A new one is added here.
const VTIGER_NAMES = array(
	'functions' => array(
		'decode_html', 'getAllCharges', 'getAllTaxes', 'getTabname', 'isPermitted', 'vglobal',
		'vtws_addWebserviceOperation', 'vtws_addWebserviceOperationParam', 'vtws_deleteWebServiceOperation',
		'vtws_getIdComponents', 'vtws_getModuleHandlerFromName', 'vtws_getWebserviceEntityId', 'vtws_listtypes',
		'vtws_retrieve',
	),
	'classes' => array(
		'CRMEntity', 'DataTransform', 'EntityMeta', 'Inventory_TaxRecord_Model', 'PearDatabase',
		'Settings_Vtiger_Basic_Action', 'Settings_Vtiger_Index_View', 'Users', 'VTCacheUtils', 'VTEntityDelta',
		'VTEventHandler', 'VTEventsManager', 'VTWS_PreserveGlobal', 'VtigerInventoryOperation', 'VtigerModuleOperation',
		'VtigerWebserviceObject', 'Vtiger_Action_Controller', 'Vtiger_Cron', 'Vtiger_Record_Model', 'Vtiger_Request',
		'WebServiceErrorCode', 'WebServiceException',
	),
);
// type names PHP 7.4 knows that are not classes; `mixed`, `never`, `null`, `false` and `true` are not among them
const BUILTIN_TYPES = array('bool', 'int', 'float', 'string', 'iterable', 'object', 'void', 'self', 'parent');

$files = array();
foreach (array_slice($argv, 1) as $arg) {
	if (is_dir($arg)) {
		$found = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($arg, FilesystemIterator::SKIP_DOTS));
		foreach ($found as $path => $info) {
			if (preg_match('/\.(php|service)$/', $path)) {
				$files[] = $path;
			}
		}
	} elseif (is_file($arg)) {
		$files[] = $arg;
	} else {
		fwrite(STDERR, "php-compat: no such file or folder: $arg\n");
		exit(2);
	}
}
sort($files);
if (!$files) {
	fwrite(STDERR, "php-compat: no PHP files given\n");
	exit(2);
}

/** The significant tokens of a file (no whitespace or comments), each as array(id, text, line); id is the char itself for one-char tokens. */
function php_compat_tokens($source) {
	$tokens = array();
	$line = 1;
	foreach (token_get_all($source, TOKEN_PARSE) as $token) {
		if (is_array($token)) {
			$line = $token[2];
			if (!in_array($token[0], array(T_WHITESPACE, T_COMMENT, T_DOC_COMMENT, T_OPEN_TAG, T_CLOSE_TAG, T_INLINE_HTML), true)) {
				$tokens[] = $token;
			}
		} else {
			$tokens[] = array($token, $token, $line);
		}
	}
	return $tokens;
}

/** Whether a token is (part of) a name: PHP 8 has one token for a whole namespaced name, PHP 7.4 several. */
function php_compat_is_name($id) {
	static $ids = null;
	if ($ids === null) {
		$ids = array(T_STRING, T_NS_SEPARATOR);
		foreach (array('T_NAME_QUALIFIED', 'T_NAME_FULLY_QUALIFIED', 'T_NAME_RELATIVE') as $constant) {
			if (defined($constant)) {
				$ids[] = constant($constant);
			}
		}
	}
	return in_array($id, $ids, true);
}

/** The (possibly namespaced) name that starts at $i, without a leading backslash, and the index after it. */
function php_compat_name($tokens, $i) {
	$name = '';
	$n = count($tokens);
	while ($i < $n && php_compat_is_name($tokens[$i][0])) {
		$name .= $tokens[$i][1];
		$i++;
	}
	return array(ltrim($name, '\\'), $i);
}

$declared = array('functions' => array(), 'classes' => array());
$used = array(); // array(kind, name, file, line)
$guarded = array(); // file => lower-case names tested with function_exists('...')
$unparsable = array();
foreach ($files as $file) {
	try {
		$tokens = php_compat_tokens(file_get_contents($file));
	} catch (ParseError $e) {
		$unparsable[] = "$file:" . $e->getLine() . ': ' . $e->getMessage() . ' (not checked: php -l tells more)';
		continue;
	}
	$guarded[$file] = array();
	$n = count($tokens);
	$signature = 0; // > 0 inside a function's parameter list: its parenthesis depth
	for ($i = 0; $i < $n; $i++) {
		$id = $tokens[$i][0];
		$prev = $i > 0 ? $tokens[$i - 1][0] : null;
		if ($id === T_FUNCTION) {
			$j = $i + 1;
			if ($j < $n && $tokens[$j][0] === '&') {
				$j++;
			}
			if ($j < $n && $tokens[$j][0] === T_STRING) {
				$declared['functions'][strtolower($tokens[$j][1])] = true;
				$j++;
			}
			if ($j < $n && $tokens[$j][0] === '(') {
				$signature = 1;
				$i = $j;
			}
			continue;
		}
		if ($signature > 0) {
			if ($id === '(') {
				$signature++;
			} elseif ($id === ')') {
				$signature--;
				// a return type: `): Name` or `): ?Name`
				if ($signature === 0 && $i + 1 < $n && $tokens[$i + 1][0] === ':') {
					$j = $i + 2;
					if ($j < $n && $tokens[$j][0] === '?') {
						$j++;
					}
					list($name, $after) = php_compat_name($tokens, $j);
					if ($name !== '') {
						$used[] = array('type', $name, $file, $tokens[$j][2]);
						$i = $after - 1;
					}
				}
			} elseif (php_compat_is_name($id)) {
				// a parameter type: the name before the variable (or before `&`, `...`)
				list($name, $after) = php_compat_name($tokens, $i);
				if ($after < $n && in_array($tokens[$after][0], array(T_VARIABLE, '&', T_ELLIPSIS), true)) {
					$used[] = array('type', $name, $file, $tokens[$i][2]);
				}
				$i = $after - 1;
			}
			continue;
		}
		if (in_array($id, array(T_CLASS, T_INTERFACE, T_TRAIT), true) && $prev !== T_DOUBLE_COLON) {
			if ($i + 1 < $n && $tokens[$i + 1][0] === T_STRING) {
				$declared['classes'][strtolower($tokens[$i + 1][1])] = true;
			}
			continue;
		}
		if ($id === T_NEW || $id === T_INSTANCEOF || $id === T_EXTENDS || $id === T_IMPLEMENTS) {
			$j = $i + 1;
			do {
				list($name, $j) = php_compat_name($tokens, $j);
				if ($name !== '' && !in_array(strtolower($name), array('self', 'parent', 'static'), true)) {
					$used[] = array('class', $name, $file, $tokens[$i][2]);
				}
				$more = ($id === T_IMPLEMENTS || $id === T_EXTENDS) && $j < $n && $tokens[$j][0] === ',';
				$i = $j - 1;
				$j++;
			} while ($more);
			continue;
		}
		if ($id === T_CATCH && $i + 1 < $n && $tokens[$i + 1][0] === '(') {
			$j = $i + 2;
			do {
				list($name, $j) = php_compat_name($tokens, $j);
				$used[] = array('class', $name, $file, $tokens[$i][2]);
				$more = $j < $n && $tokens[$j][0] === '|';
				$end = $j - 1;
				$j++;
			} while ($more);
			$i = $end;
			continue;
		}
		if (php_compat_is_name($id) && !in_array($prev, array(T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_CONST), true)
			&& !(defined('T_NULLSAFE_OBJECT_OPERATOR') && $prev === constant('T_NULLSAFE_OBJECT_OPERATOR'))) {
			list($name, $after) = php_compat_name($tokens, $i);
			$next = $after < $n ? $tokens[$after][0] : null;
			if ($next === T_VARIABLE) {
				// a property's type (PHP 7.4 has typed properties)
				$used[] = array('type', $name, $file, $tokens[$i][2]);
			} elseif ($next === T_DOUBLE_COLON) {
				if (!in_array(strtolower($name), array('self', 'parent'), true)) {
					$used[] = array('class', $name, $file, $tokens[$i][2]);
				}
			} elseif ($next === '(') {
				$used[] = array('function', $name, $file, $tokens[$i][2]);
				// function_exists('name') guards a call of name in this file
				if (strtolower($name) === 'function_exists' && $after + 1 < $n && $tokens[$after + 1][0] === T_CONSTANT_ENCAPSED_STRING) {
					$guarded[$file][strtolower(trim($tokens[$after + 1][1], '\'"'))] = true;
				}
			}
			$i = $after - 1;
		}
	}
}

$vtigerFunctions = array_map('strtolower', VTIGER_NAMES['functions']);
$vtigerClasses = array_map('strtolower', VTIGER_NAMES['classes']);
$unknown = array();
foreach ($used as $use) {
	list($kind, $name, $file, $line) = $use;
	$lower = strtolower($name);
	if ($kind === 'function') {
		$known = function_exists($name) || isset($declared['functions'][$lower]) || isset($guarded[$file][$lower])
			|| in_array($lower, $vtigerFunctions, true);
		$what = "function $name()";
	} else {
		$known = class_exists($name, false) || interface_exists($name, false) || trait_exists($name, false)
			|| isset($declared['classes'][$lower]) || in_array($lower, $vtigerClasses, true)
			|| ($kind === 'type' && in_array($lower, BUILTIN_TYPES, true));
		$what = ($kind === 'type' ? 'type ' : 'class ') . $name;
	}
	if (!$known) {
		$unknown["$file:$line: $what"] = true;
	}
}
foreach ($unparsable as $problem) {
	echo "$problem\n";
}
foreach (array_keys($unknown) as $problem) {
	echo "$problem: not in PHP " . PHP_VERSION . ", not declared in these files, not Vtiger's\n";
}
printf(
	"php-compat: %d names used in %d files with PHP %s: %s\n",
	count($used),
	count($files),
	PHP_VERSION,
	($unknown ? count($unknown) . ' unknown' : 'all known') . ($unparsable ? ', ' . count($unparsable) . ' files unparsable' : '')
);
exit($unknown || $unparsable ? 1 : 0);
