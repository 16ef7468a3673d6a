<?php
$languageStrings = array(
	'N8nConnector' => 'n8n Connector',
	'LBL_N8N_CONNECTOR' => 'n8n Connector',
	'LBL_N8N_CONNECTOR_DESCRIPTION' => 'Who may subscribe n8n workflows to record changes, and where Vtiger may send them',
);
$jsLanguageStrings = array();
