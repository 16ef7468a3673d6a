{* n8n Connector settings (settings/views/Index.php) *}
<div class="listViewPageDiv detailViewContainer col-sm-12" id="n8nConnectorSettings">
	<div class="col-sm-12">
		<h4>{vtranslate('LBL_N8N_CONNECTOR', $QUALIFIED_MODULE)}</h4>
		<p class="text-muted">{vtranslate('LBL_N8N_INTRO', $QUALIFIED_MODULE)}</p>
		{if $SAVED}<div class="alert alert-success">{vtranslate('LBL_N8N_SAVED', $QUALIFIED_MODULE)}</div>{/if}
		{if $ERROR}<div class="alert alert-danger">{$ERROR|escape:'html'}</div>{/if}
		<form method="post" action="index.php" class="form-horizontal">
			<input type="hidden" name="module" value="N8nConnector">
			<input type="hidden" name="parent" value="Settings">
			<input type="hidden" name="action" value="Save">
			<div class="form-group">
				<label class="col-sm-3 control-label">{vtranslate('LBL_N8N_ALLOW_NON_ADMINS', $QUALIFIED_MODULE)}</label>
				<div class="col-sm-6 checkbox">
					<label><input type="checkbox" name="allowNonAdmins" value="1" {if $ALLOW_NON_ADMINS}checked{/if}>
						{vtranslate('LBL_N8N_ALLOW_NON_ADMINS_HELP', $QUALIFIED_MODULE)}</label>
				</div>
			</div>
			<div class="form-group">
				<label class="col-sm-3 control-label">{vtranslate('LBL_N8N_ALLOWED_HOSTS', $QUALIFIED_MODULE)}</label>
				<div class="col-sm-6">
					<textarea name="allowedHosts" rows="4" class="form-control" placeholder="n8n.internal&#10;10.0.0.0/24&#10;127.0.0.1">{$ALLOWED_HOSTS|escape:'html'}</textarea>
					<p class="help-block">{vtranslate('LBL_N8N_ALLOWED_HOSTS_HELP', $QUALIFIED_MODULE)}</p>
				</div>
			</div>
			<div class="form-group"><div class="col-sm-offset-3 col-sm-6">
				<button type="submit" class="btn btn-success">{vtranslate('LBL_SAVE', $QUALIFIED_MODULE)}</button>
			</div></div>
		</form>
		<h5>{vtranslate('LBL_N8N_SUBSCRIPTIONS', $QUALIFIED_MODULE)}</h5>
		<table class="table table-bordered listViewEntriesTable" id="n8nSubscriptions">
			<thead><tr>
				<th>{vtranslate('LBL_N8N_LABEL', $QUALIFIED_MODULE)}</th><th>URL</th><th>{vtranslate('LBL_N8N_OWNER', $QUALIFIED_MODULE)}</th>
				<th>{vtranslate('LBL_N8N_SCOPE', $QUALIFIED_MODULE)}</th><th>{vtranslate('LBL_N8N_STATUS', $QUALIFIED_MODULE)}</th>
				<th>{vtranslate('LBL_N8N_PENDING', $QUALIFIED_MODULE)}</th><th>{vtranslate('LBL_N8N_LAST_DELIVERY', $QUALIFIED_MODULE)}</th>
				<th>{vtranslate('LBL_N8N_EXPIRES', $QUALIFIED_MODULE)}</th>
			</tr></thead>
			<tbody>
			{foreach item=SUB from=$SUBSCRIPTIONS}
				<tr data-id="{$SUB.id|escape:'html'}">
					<td>{$SUB.label|escape:'html'}<br><small class="text-muted">{$SUB.id|escape:'html'}</small></td>
					<td>{$SUB.url|escape:'html'}</td>
					<td>{$SUB.owner|escape:'html'}</td>
					<td>{if $SUB.scope}{$SUB.scope|escape:'html'}{else}{vtranslate('LBL_N8N_ALL_MODULES', $QUALIFIED_MODULE)}{/if}<br>
						<small>{$SUB.eventList|escape:'html'}</small></td>
					<td>{if $SUB.expired}{vtranslate('LBL_N8N_EXPIRED', $QUALIFIED_MODULE)}{else}{$SUB.status|escape:'html'}{/if}
						{if $SUB.disabledReason}<br><small class="text-danger">{$SUB.disabledReason|escape:'html'}</small>{/if}
						{if $SUB.failures > 0}<br><small class="text-warning">{$SUB.failures} &times; {$SUB.lastError|escape:'html'}</small>{/if}</td>
					<td>{$SUB.pending}</td>
					<td>{$SUB.lastDeliveryAt|escape:'html'}</td>
					<td>{$SUB.expiresAt|escape:'html'}</td>
				</tr>
			{foreachelse}
				<tr><td colspan="8">{vtranslate('LBL_N8N_NO_SUBSCRIPTIONS', $QUALIFIED_MODULE)}</td></tr>
			{/foreach}
			</tbody>
		</table>
	</div>
</div>
