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
				// imports: one event with every created record's VTEntityData (modules/Import/actions/Data.php)
				foreach ((array) $data as $entityData) {
					$this->record('created', $entityData);
				}
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

	private function record($event, $entityData) {
		if (!is_object($entityData) || !method_exists($entityData, 'getId')) {
			return;
		}
		N8nConnector_Outbox::append($event, $entityData->getModuleName(), $entityData->getId());
	}
}
