<?php
/*
 * Records saves, deletions, restores and imports in the outbox (vtiger_n8nconnector_outbox) and nothing else:
 * no network call, and nothing thrown into the save. Delivery starts after the response (lib/Trigger.php).
 */
require_once 'include/events/VTEventHandler.inc';
require_once dirname(__FILE__) . '/lib/Outbox.php';

class N8nConnectorHandler extends VTEventHandler {
	public function handleEvent($eventName, $data) {
		try {
			if ($eventName === 'vtiger.batchevent.save') {
				$this->recordImport((array) $data);
				return;
			}
			if ($eventName === 'vtiger.entity.aftersave.final') {
				$this->record($data->isNew() ? 'created' : 'updated', $data);
			} elseif ($eventName === 'vtiger.entity.afterdelete') {
				$this->record('deleted', $data);
			} elseif ($eventName === 'vtiger.entity.afterrestore') {
				$this->record('restored', $data);
			}
		} catch (Throwable $e) {
			N8nConnector_Outbox::logFailure($eventName, $e);
		}
	}

	/**
	 * Imports fire no per-record events, only this one with the VTEntityData of every record the batch created,
	 * merged or updated (modules/Import/actions/Data.php), all with an id (isNew() is false for every one):
	 * a record whose createdtime equals its modifiedtime was created by the import.
	 */
	private function recordImport($batch) {
		$ids = array();
		foreach ($batch as $entityData) {
			if (is_object($entityData) && method_exists($entityData, 'getId') && intval($entityData->getId()) > 0) {
				$ids[] = intval($entityData->getId());
			}
		}
		if (!$ids) {
			return;
		}
		require_once dirname(__FILE__) . '/lib/Db.php';
		$created = array();
		foreach (N8nConnector_Db::rows('SELECT crmid FROM vtiger_crmentity WHERE createdtime = modifiedtime AND crmid IN ('
			. implode(',', $ids) . ')') as $row) {
			$created[intval($row['crmid'])] = true;
		}
		foreach ($batch as $entityData) {
			if (is_object($entityData) && method_exists($entityData, 'getId')) {
				$this->record(isset($created[intval($entityData->getId())]) ? 'created' : 'updated', $entityData);
			}
		}
	}

	private function record($event, $entityData) {
		if (!is_object($entityData) || !method_exists($entityData, 'getId')) {
			return;
		}
		N8nConnector_Outbox::append($event, $entityData->getModuleName(), $entityData->getId());
	}
}
