<?php
/*
 * n8n_inventory_create, n8n_inventory_revise and n8n_inventory_delete: an inventory record (Quotes, Invoice, SalesOrder,
 * PurchaseOrder) with its line items, written by Vtiger's own inventory code (VtigerInventoryOperation and
 * VtigerLineItemOperation: lines, per-line and overall discounts, taxes, shipping and its taxes, adjustment and
 * every total), with the permission and reference checks of vtws_create / vtws_revise and, for each line, the
 * product or service read as the user (vtws_retrieve), so a product the user may not see is refused.
 *
 * Stock 8.3.0 cannot do either through its own `create`/`revise` on PHP 8:
 *  - create: VtigerInventoryOperation::create runs the before-save events with a focus object built by
 *    constructFocusObject(), which calls vtws_getIdComponents('') for the record that has no id yet:
 *    INVALID_ID_ATTRIBUTE before anything is written;
 *  - revise/update with LineItems: the lines are written, then updateInventoryProductRel() asks
 *    VTEntityDelta::hasChanged() about a record whose delta is only computed by the after-save event:
 *    array_key_exists() on null, a TypeError on PHP 8 (a warning and `false` on PHP 7), HTTP 500 before the
 *    totals are computed.
 * N8nConnector_InventoryOperation below changes exactly those two places; the rest is Vtiger's code.
 *
 * Handler parameter names equal the registered ones (PHP 8 passes them by name).
 */
require_once 'include/Webservices/Utils.php';
require_once 'include/Webservices/Retrieve.php';
require_once 'include/Webservices/DataTransform.php';
require_once 'include/Webservices/LineItem/VtigerInventoryOperation.php';
require_once 'include/utils/InventoryUtils.php';
require_once 'data/VTEntityDelta.php';

class N8nConnector_InventoryOperation extends VtigerInventoryOperation {

	/**
	 * VtigerInventoryOperation::create with lines, with two changes: the before-save events get a focus object
	 * without id (constructFocusObject below) and the line-item handler is given the saved header before the first
	 * line (primeParent).
	 */
	public function createWithLines($elementType, $element) {
		self::$CREATE_OPERATI0N = true;
		$element = $this->sanitizeInventoryForInsert($element);
		$element = $this->sanitizeShippingTaxes($element);
		$lineItems = $element['LineItems'];
		$eventManager = new VTEventsManager(vglobal('adb'));
		$this->triggerBeforeSaveEvents(DataTransform::sanitizeForInsert($element, $this->meta), $eventManager);
		$created = $this->inBulkSaveMode($elementType, function () use ($elementType, $element) {
			return VtigerModuleOperation::create($elementType, $element);
		});
		CRMEntity::getInstance($elementType)->updateMissingSeqNumber($elementType);
		$this->writeLines($created['id'], $lineItems, $eventManager, true);
		return $created;
	}

	/** VtigerInventoryOperation::revise with lines, with the same changes as createWithLines and the delta of triggerBeforeSaveEvents. */
	public function reviseWithLines($element) {
		$element = $this->sanitizeInventoryForInsert($element);
		$element = $this->sanitizeShippingTaxes($element);
		$lineItems = $element['LineItems'];
		unset($element['LineItems']);
		$eventManager = new VTEventsManager(vglobal('adb'));
		$sanitized = DataTransform::sanitizeForInsert($element, $this->meta);
		$sanitized['id'] = $element['id'];
		$this->triggerBeforeSaveEvents($sanitized, $eventManager);
		$this->inBulkSaveMode(getTabname($this->tabId), function () use ($element) {
			return VtigerModuleOperation::revise($element);
		});
		$this->writeLines($element['id'], $lineItems, $eventManager, false);
	}

	private function inBulkSaveMode($moduleName, $save) {
		global $currentModule;
		$bulkSaveMode = vglobal('VTIGER_BULK_SAVE_MODE');
		vglobal('VTIGER_BULK_SAVE_MODE', true);
		$currentModule = $moduleName;
		try {
			return $save();
		} finally {
			vglobal('VTIGER_BULK_SAVE_MODE', $bulkSaveMode === null ? false : $bulkSaveMode);
		}
	}

	/** The lines, the totals (VtigerLineItemOperation::updateParent) and the after-save events, as VtigerInventoryOperation does. */
	private function writeLines($id, $lineItems, $eventManager, $isNew) {
		$handler = vtws_getModuleHandlerFromName('LineItem', $this->user);
		$this->primeParent($handler, $id);
		$handler->setLineItems('LineItem', $lineItems, array('id' => $id));
		$parent = $handler->getParentById($id);
		$handler->updateParent($lineItems, $parent);
		$saved = VtigerModuleOperation::retrieve($id);
		if ($isNew) {
			$saved['new'] = true;
		}
		$deductStock = vglobal('updateInventoryProductRel_deduct_stock');
		vglobal('updateInventoryProductRel_deduct_stock', false);
		$productArray = vglobal('updateInventoryProductRel_update_product_array');
		$this->triggerAfterSaveEvents($saved, $eventManager);
		vglobal('updateInventoryProductRel_update_product_array', $productArray);
		vglobal('updateInventoryProductRel_deduct_stock', $deductStock);
	}

	/**
	 * The line-item handler reads the parent through vtws_retrieve, whose inventory retrieve computes the final
	 * details of the lines (Inventory_Record_Model::getProducts); with no line yet in individual tax mode that adds
	 * '' to a number: a TypeError on PHP 8. It is given the header just saved instead (the fields it uses: tax
	 * mode, discounts, shipping, adjustment).
	 */
	private function primeParent($handler, $id) {
		$handler->setParent($id, VtigerModuleOperation::retrieve($id));
	}

	/** A new record (no id yet) gets a focus object without id: 8.x's vtws_getIdComponents('') throws INVALID_ID_ATTRIBUTE. */
	public function constructFocusObject($element) {
		if (!empty($element['id'])) {
			return parent::constructFocusObject($element);
		}
		$focus = CRMEntity::getInstance($this->getMeta()->getTabName());
		foreach ($focus->column_fields as $fieldName => $unused) {
			if (!array_key_exists($fieldName, $element) || $element[$fieldName] === null) {
				continue;
			}
			$value = $element[$fieldName];
			$focus->column_fields[$fieldName] = is_array($value) ? $value : decode_html($value);
		}
		return $focus;
	}

	/**
	 * After the before-save events of an existing record, its delta is computed once (old = current: nothing
	 * saved yet), so updateInventoryProductRel() finds "no change" while the lines are written, as on PHP 7. The
	 * after-save event computes the real delta again for the handlers that run after the save.
	 */
	public function triggerBeforeSaveEvents($element, $eventManager) {
		parent::triggerBeforeSaveEvents($element, $eventManager);
		if (!empty($element['id'])) {
			$ids = vtws_getIdComponents($element['id']);
			$moduleName = $this->getMeta()->getTabName();
			$delta = new VTEntityDelta();
			if ($delta->getOldEntity($moduleName, $ids[1])) {
				$delta->fetchEntity($moduleName, $ids[1]);
				$delta->computeDelta($moduleName, $ids[1]);
			}
		}
	}
}

class N8nConnector_Inventory {
	const MODULES = array('Quotes', 'Invoice', 'SalesOrder', 'PurchaseOrder');
	/** Header values the totals are computed from (a revise with one of them and no LineItems keeps the lines and recomputes). */
	const TOTALS_INPUTS = array('hdnTaxType', 'hdnDiscountPercent', 'hdnDiscountAmount', 'txtAdjustment', 'hdnS_H_Amount');

	public static function create($element, $elementType, $user) {
		global $adb, $log;
		self::prepareGlobals($user);
		if (!is_array($element)) {
			throw new WebServiceException('N8N_INVALID_ELEMENT', 'element must be a JSON object');
		}
		if (!in_array($elementType, self::MODULES, true)) {
			throw new WebServiceException('N8N_INVALID_MODULE', "$elementType has no line items; n8n_inventory_create takes " . implode(', ', self::MODULES));
		}
		$types = vtws_listtypes(null, $user);
		if (!in_array($elementType, $types['types'])) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to perform the operation is denied');
		}
		$webserviceObject = VtigerWebserviceObject::fromName($adb, $elementType);
		$handler = new N8nConnector_InventoryOperation($webserviceObject, $user, $adb, $log);
		$meta = $handler->getMeta();
		if ($meta->hasCreateAccess() !== true) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to write is denied');
		}
		unset($element['id']);
		$element['LineItems'] = self::checkLines($element['LineItems'] ?? null, $user, true);
		if (empty($element['productid'])) {
			$element['productid'] = $element['LineItems'][0]['productid'];
		}
		$element = self::checkReferences($element, $meta, $types['types']);
		$element = self::withDefaults(self::numericTotalsInputs($element), null);
		// hasMandatoryFields throws MANDATORY_FIELDS_MISSING naming the field
		$meta->hasMandatoryFields($element);
		$created = $handler->createWithLines($elementType, $element);
		VTWS_PreserveGlobal::flush();
		return self::answer($created['id'], $user);
	}

	public static function revise($element, $user) {
		global $adb, $log;
		self::prepareGlobals($user);
		if (!is_array($element) || empty($element['id'])) {
			throw new WebServiceException('N8N_INVALID_ELEMENT', 'element must be a JSON object with the id of the record');
		}
		$ids = vtws_getIdComponents($element['id']);
		$webserviceObject = VtigerWebserviceObject::fromId($adb, $ids[0]);
		$elementType = $webserviceObject->getEntityName();
		if (!in_array($elementType, self::MODULES, true)) {
			throw new WebServiceException('N8N_INVALID_MODULE', "$elementType has no line items; n8n_inventory_revise takes records of " . implode(', ', self::MODULES));
		}
		$handler = new N8nConnector_InventoryOperation($webserviceObject, $user, $adb, $log);
		$meta = $handler->getMeta();
		$types = vtws_listtypes(null, $user);
		if (!in_array($meta->getObjectEntityName($element['id']), $types['types'])) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to perform the operation is denied');
		}
		if ($meta->getObjectEntityName($element['id']) !== $elementType) {
			throw new WebServiceException(WebServiceErrorCode::$INVALIDID, 'Id specified is incorrect');
		}
		if (!$meta->hasPermission(EntityMeta::$UPDATE, $element['id'])) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to read given object is denied');
		}
		if (!$meta->exists($ids[1])) {
			throw new WebServiceException(WebServiceErrorCode::$RECORDNOTFOUND, 'Record you are trying to access is not found');
		}
		if ($meta->hasWriteAccess() !== true) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to write is denied');
		}
		$current = vtws_retrieve($element['id'], $user);
		if (array_key_exists('LineItems', $element)) {
			$element['LineItems'] = self::checkLines($element['LineItems'], $user, true);
		} elseif (array_intersect(self::TOTALS_INPUTS, array_keys($element))) {
			// the totals are computed only while the lines are written: the current lines are written again
			$element['LineItems'] = self::currentLines($ids[1], $user);
		}
		if (!empty($element['LineItems'])) {
			$element['productid'] = $element['LineItems'][0]['productid'];
			// one overall discount, as the web form has: a new percentage replaces the record's amount and back
			// (Vtiger applies the amount first when both are set)
			if (array_key_exists('hdnDiscountPercent', $element) && !array_key_exists('hdnDiscountAmount', $element)) {
				$element['hdnDiscountAmount'] = 0;
			} elseif (array_key_exists('hdnDiscountAmount', $element) && !array_key_exists('hdnDiscountPercent', $element)) {
				$element['hdnDiscountPercent'] = 0;
			}
			foreach (self::TOTALS_INPUTS as $name) {
				if (!array_key_exists($name, $element) && array_key_exists($name, $current)) {
					$element[$name] = $current[$name];
				}
			}
		}
		$element = self::checkReferences($element, $meta, $types['types']);
		if (!empty($element['LineItems'])) {
			$element = self::withDefaults(self::numericTotalsInputs($element), $current);
		}
		if (empty($element['LineItems'])) {
			$handler->revise($element);
		} else {
			$handler->reviseWithLines($element);
		}
		VTWS_PreserveGlobal::flush();
		return self::answer($element['id'], $user);
	}

	/**
	 * n8n_inventory_delete: the record deleted as the web UI's Delete does it (the module's trash(): an Invoice that
	 * is not cancelled gives its stock back; the lines stay, so a restore from the Recycle Bin brings them back),
	 * with the checks of vtws_delete. Vtiger's own `delete` first removes the lines, then reads the record to reset
	 * the stock: on PHP 8 that read of an individual-tax record is a TypeError (Inventory_Record_Model::getProducts),
	 * HTTP 500, and the record stays without its lines and can no longer be retrieved
	 * (inventory-delete.live.test.ts, "Vtiger's own delete").
	 */
	public static function delete($id, $user) {
		global $adb, $log;
		self::prepareGlobals($user);
		if (!is_string($id) || !preg_match('/^\d+x\d+$/', $id)) {
			throw new WebServiceException(WebServiceErrorCode::$INVALIDID, 'Id specified is incorrect');
		}
		$ids = vtws_getIdComponents($id);
		$webserviceObject = VtigerWebserviceObject::fromId($adb, $id);
		$elementType = $webserviceObject->getEntityName();
		if (!in_array($elementType, self::MODULES, true)) {
			throw new WebServiceException('N8N_INVALID_MODULE', "$elementType has no line items; n8n_inventory_delete takes records of " . implode(', ', self::MODULES));
		}
		$handler = new N8nConnector_InventoryOperation($webserviceObject, $user, $adb, $log);
		$meta = $handler->getMeta();
		$types = vtws_listtypes(null, $user);
		if (!in_array($meta->getObjectEntityName($id), $types['types'])) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to perform the operation is denied');
		}
		if ($meta->getObjectEntityName($id) !== $elementType) {
			throw new WebServiceException(WebServiceErrorCode::$INVALIDID, 'Id specified is incorrect');
		}
		if (!$meta->hasPermission(EntityMeta::$DELETE, $id)) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to read given object is denied');
		}
		if (!$meta->exists($ids[1])) {
			throw new WebServiceException(WebServiceErrorCode::$RECORDNOTFOUND, 'Record you are trying to access is not found');
		}
		if ($meta->hasDeleteAccess() !== true) {
			throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Permission to delete is denied');
		}
		Vtiger_Record_Model::getInstanceById($ids[1], $elementType)->delete();
		VTWS_PreserveGlobal::flush();
		return array('status' => 'successful');
	}

	/**
	 * Discounts, shipping and adjustment as numbers: Vtiger stores an unset discount as '' and its own
	 * sanitizeShippingTaxes subtracts hdnDiscountAmount as it is ('' is a TypeError on PHP 8).
	 */
	private static function numericTotalsInputs($element) {
		foreach (array('hdnDiscountPercent', 'hdnDiscountAmount', 'txtAdjustment', 'hdnS_H_Amount') as $name) {
			if (!array_key_exists($name, $element) || $element[$name] === null || $element[$name] === '') {
				$element[$name] = 0;
			} elseif (!is_numeric($element[$name])) {
				throw new WebServiceException('N8N_INVALID_ELEMENT', "$name must be a number, not \"{$element[$name]}\"");
			}
		}
		return $element;
	}

	/** The webservice request's globals Vtiger's save code reads ($current_user, $currentModule, $_REQUEST's action). */
	private static function prepareGlobals($user) {
		global $current_user;
		$current_user = $user;
		unset($_REQUEST['action'], $_REQUEST['ajxaction']);
	}

	/** Each line: a product or service the user may see (read as the user), a quantity above 0. */
	private static function checkLines($lines, $user, $required) {
		if (!is_array($lines) || (count($lines) === 0 && $required)) {
			throw new WebServiceException(WebServiceErrorCode::$MANDFIELDSMISSING, 'LineItems: at least one line item is needed');
		}
		$checked = array();
		foreach (array_values($lines) as $index => $line) {
			$label = 'LineItems[' . $index . ']';
			if (!is_array($line) || empty($line['productid'])) {
				throw new WebServiceException(WebServiceErrorCode::$MANDFIELDSMISSING, "$label: productid is missing");
			}
			$product = vtws_retrieve($line['productid'], $user);
			$productType = VtigerWebserviceObject::fromId(PearDatabase::getInstance(), vtws_getIdComponents($product['id'])[0])->getEntityName();
			if ($productType !== 'Products' && $productType !== 'Services') {
				throw new WebServiceException(WebServiceErrorCode::$REFERENCEINVALID, "$label: productid {$line['productid']} is a $productType record, not a product or service");
			}
			if (!isset($line['quantity']) || !is_numeric($line['quantity']) || (float) $line['quantity'] <= 0) {
				throw new WebServiceException('N8N_INVALID_LINE', "$label: quantity must be a number above 0");
			}
			if (!isset($line['listprice']) || $line['listprice'] === '' || $line['listprice'] === null) {
				$line['listprice'] = $product['unit_price'];
			}
			unset($line['id'], $line['parent_id']);
			$checked[] = $line;
		}
		return $checked;
	}

	private static function currentLines($crmid, $user) {
		$handler = vtws_getModuleHandlerFromName('LineItem', $user);
		$lines = array();
		foreach ($handler->getAllLineItemForParent($crmid) as $line) {
			$keep = array('productid' => $line['productid'], 'quantity' => $line['quantity'], 'listprice' => $line['listprice'], 'comment' => $line['comment']);
			foreach (array('discount_amount', 'discount_percent') as $name) {
				if ((float) $line[$name]) $keep[$name] = $line[$name];
			}
			foreach ($line as $name => $value) {
				if (preg_match('/^tax\d+$/', $name) && $value !== null && $value !== '') $keep[$name] = $value;
			}
			$lines[] = $keep;
		}
		return $lines;
	}

	/** Reference fields as vtws_create/vtws_revise check them: the right module, one the user may see, an assignable user. */
	private static function checkReferences($element, $meta, $permittedTypes) {
		global $adb;
		foreach ($meta->getReferenceFieldDetails() as $fieldName => $details) {
			if (isset($element[$fieldName]) && strlen($element[$fieldName]) > 0) {
				$ids = vtws_getIdComponents($element[$fieldName]);
				$referenceObject = VtigerWebserviceObject::fromId($adb, $ids[0]);
				$referenceType = $referenceObject->getEntityName();
				if (!in_array($referenceType, $details)) {
					throw new WebServiceException(WebServiceErrorCode::$REFERENCEINVALID, "Invalid reference specified for $fieldName");
				}
				if ($referenceType === 'Users' && !$meta->hasAssignPrivilege($element[$fieldName])) {
					throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Cannot assign record to the given user');
				}
				if ($referenceType !== 'Users' && !in_array($referenceType, $permittedTypes)) {
					throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, "Permission to access reference type is denied $referenceType");
				}
			} elseif (array_key_exists($fieldName, $element) && $element[$fieldName] !== null) {
				unset($element[$fieldName]);
			}
		}
		foreach ($meta->getOwnerFields() as $ownerField) {
			if (isset($element[$ownerField]) && $element[$ownerField] !== null && !$meta->hasAssignPrivilege($element[$ownerField])) {
				throw new WebServiceException(WebServiceErrorCode::$ACCESSDENIED, 'Cannot assign record to the given user');
			}
		}
		return $element;
	}

	/**
	 * What the web UI's edit form fills in that the webservice leaves at 0: in group mode each line carries the
	 * group tax percentages (the form's defaults are the configured taxes), and the charges (Shipping & Handling)
	 * carry their taxes (a new record: the configured percentages; an existing one: its own).
	 */
	private static function withDefaults($element, $current) {
		$taxType = strtolower((string) ($element['hdnTaxType'] ?? ''));
		if ($taxType !== 'group' && $taxType !== 'individual') {
			// the edit form's choice: individual when that is the configured default, else group
			// (Inventory/partials/LineItemsEdit.tpl; the lab's default is empty)
			$taxType = strtolower((string) Inventory_TaxRecord_Model::getSelectedDefaultTaxMode()) === 'individual' ? 'individual' : 'group';
		}
		$element['hdnTaxType'] = $taxType;
		if ($taxType === 'group') {
			$groupTaxes = array();
			foreach (getAllTaxes('available') as $tax) {
				if ($tax['method'] !== 'Deducted') $groupTaxes[$tax['taxname']] = $tax['percentage'];
			}
			if ($current && !empty($current['LineItems'][0])) {
				foreach ($groupTaxes as $name => $unused) {
					if (isset($current['LineItems'][0][$name]) && $current['LineItems'][0][$name] !== '') $groupTaxes[$name] = $current['LineItems'][0][$name];
				}
			}
			foreach ($element['LineItems'] as $i => $line) {
				foreach ($groupTaxes as $name => $percentage) {
					if (!isset($line[$name]) || $line[$name] === '') $element['LineItems'][$i][$name] = $percentage;
				}
			}
		}
		$shippingTaxes = array();
		foreach (getAllTaxes('available', 'sh') as $tax) {
			$shippingTaxes[$tax['taxid']] = $tax['percentage'];
		}
		foreach (getAllCharges() as $chargeId => $charge) {
			$chargeName = html_entity_decode(strtolower(str_replace(' ', '_', $charge['name'])));
			if (!array_key_exists($chargeName, $element) && (int) $chargeId === 1 && isset($element['hdnS_H_Amount'])) {
				$element[$chargeName] = $element['hdnS_H_Amount'];
			}
			if (!array_key_exists($chargeName, $element) && $current && array_key_exists($chargeName, $current)) {
				$element[$chargeName] = $current[$chargeName];
			}
			foreach ($charge['taxes'] as $taxId) {
				$key = $chargeName . '_shtax' . $taxId;
				if (array_key_exists($key, $element) || !isset($shippingTaxes[$taxId])) continue;
				$element[$key] = ($current && array_key_exists($key, $current)) ? $current[$key] : $shippingTaxes[$taxId];
			}
		}
		return $element;
	}

	/** The record as `retrieve` gives it to the user, with its LineItems. */
	private static function answer($id, $user) {
		$record = vtws_retrieve($id, $user);
		if (!isset($record['LineItems'])) {
			$ids = vtws_getIdComponents($id);
			$record['LineItems'] = vtws_getModuleHandlerFromName('LineItem', $user)->getAllLineItemForParent($ids[1]);
		}
		return $record;
	}
}

/** A PHP error inside Vtiger's inventory code answers as an error envelope instead of HTTP 500 with an empty body. */
function n8n_inventory_guard($operation, $run) {
	try {
		return $run();
	} catch (WebServiceException $e) {
		throw $e;
	} catch (Throwable $e) {
		throw new WebServiceException('N8N_INVENTORY_FAILED', "$operation: Vtiger failed while writing the record: " . get_class($e) . ': ' . $e->getMessage() . ' (' . basename($e->getFile()) . ':' . $e->getLine() . ')');
	}
}

function vtws_n8n_inventory_create($element, $elementType, $user) {
	return n8n_inventory_guard('n8n_inventory_create', function () use ($element, $elementType, $user) {
		return N8nConnector_Inventory::create($element, $elementType, $user);
	});
}

function vtws_n8n_inventory_revise($element, $user) {
	return n8n_inventory_guard('n8n_inventory_revise', function () use ($element, $user) {
		return N8nConnector_Inventory::revise($element, $user);
	});
}

function vtws_n8n_inventory_delete($id, $user) {
	return n8n_inventory_guard('n8n_inventory_delete', function () use ($id, $user) {
		return N8nConnector_Inventory::delete($id, $user);
	});
}
