<?php
/*
 * Raw rows: PearDatabase::fetch_array HTML-escapes every value when the request's $doconvert is set (to_html in
 * include/utils/utils.php) and not otherwise, so what it returns depends on the caller; fetchByAssoc with
 * $encode = false always gives the stored text.
 */
class N8nConnector_Db {
	public static function rows($sql, $params = array()) {
		global $adb;
		$result = $adb->pquery($sql, $params);
		$rows = array();
		if (!$result) {
			return $rows;
		}
		while (!$result->EOF) {
			$row = $adb->fetchByAssoc($result, -1, false);
			if (!is_array($row)) {
				break;
			}
			$rows[] = $row;
		}
		return $rows;
	}

	public static function value($sql, $params = array()) {
		$rows = self::rows($sql, $params);
		return $rows ? reset($rows[0]) : null;
	}
}
