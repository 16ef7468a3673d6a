/**
 * Engine harness: runs this package's nodes through the real n8n-core engine with an in-memory
 * credentials store that behaves like n8n's CLI CredentialsHelper. API: test/support/harness/README.md.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';

import { Logger as BackendLogger } from '@n8n/backend-common';
import { Container } from '@n8n/di';

import {
	DirectoryLoader,
	ExecutionLifecycleHooks,
	HookContext,
	LoadOptionsContext,
	PollContext,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	LoggerProxy,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	ICredentials,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IWebhookData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	NodeConnectionType,
	ResourceMapperFields,
	WorkflowExecuteMode,
	ExecutionError,
	Logger,
} from 'n8n-workflow';

import { VtigerApi } from '../../../credentials/VtigerApi.credentials';
import { FixtureDeclarative, FixtureProgrammatic } from './fixtures/nodes';

export const PACKAGE_NAME = 'n8n-nodes-vtigercrm';
const CREDENTIAL_TYPE = 'vtigerApi';

// ---------------------------------------------------------------------------------------------
// logging: every line n8n (or a node through this.logger) writes is kept for secret checks; jest prints a
// test's lines only when it fails (test/support/harness/environment.ts), or every line with VTIGER_TEST_LOGS=1

const logLines: string[] = [];
(globalThis as { __vtigerLogLines?: string[] }).__vtigerLogLines = logLines;
function logWith(level: string) {
	return (message: string, meta?: object) => {
		let line = `${level}: ${message}`;
		if (meta) {
			try {
				line += ` ${JSON.stringify(meta)}`;
			} catch {
				line += ' [unserialisable meta]';
			}
		}
		logLines.push(line);
		if (process.env.VTIGER_TEST_LOGS === '1') console.log(line);
	};
}
const captureLogger = {
	error: logWith('error'),
	warn: logWith('warn'),
	info: logWith('info'),
	debug: logWith('debug'),
	scoped: () => captureLogger,
} as unknown as Logger;
LoggerProxy.init(captureLogger);
// n8n-core's own logger (nodes' this.logger, the engine's errors) would print to the console
Container.set(BackendLogger, captureLogger);

// ---------------------------------------------------------------------------------------------
// node types

type NodeFactory = () => INodeType;

const builtinNodes: Record<string, NodeFactory> = {
	vtiger: () => {
		// loaded lazily: the real node is written by another issue
		const mod = require('../../../nodes/Vtiger/Vtiger.node') as { Vtiger: new () => INodeType };
		return new mod.Vtiger();
	},
	vtigerTrigger: () => {
		const mod = require('../../../nodes/Vtiger/VtigerTrigger.node') as {
			VtigerTrigger: new () => INodeType;
		};
		return new mod.VtigerTrigger();
	},
	vtigerInstantTrigger: () => {
		const mod = require('../../../nodes/Vtiger/VtigerInstantTrigger.node') as {
			VtigerInstantTrigger: new () => INodeType;
		};
		return new mod.VtigerInstantTrigger();
	},
	fixtureDeclarative: () => new FixtureDeclarative(),
	fixtureProgrammatic: () => new FixtureProgrammatic(),
};

class HarnessNodeTypes implements INodeTypes {
	private readonly loaded = new Map<string, INodeType>();

	constructor(private readonly extra: Record<string, INodeType> = {}) {}

	fullName(short: string): string {
		return short.includes('.') ? short : `${PACKAGE_NAME}.${short}`;
	}

	private shortName(type: string): string {
		return type.startsWith(`${PACKAGE_NAME}.`) ? type.slice(PACKAGE_NAME.length + 1) : type;
	}

	getByName(type: string): INodeType {
		const short = this.shortName(type);
		let nodeType = this.loaded.get(short);
		if (!nodeType) {
			const given = this.extra[short];
			const factory = builtinNodes[short];
			if (!given && !factory) throw new Error(`Unknown node type "${type}"`);
			nodeType = given ?? factory();
			// what n8n's loader does to every declarative node (adds "Request Options")
			DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
			this.loaded.set(short, nodeType);
		}
		return nodeType;
	}

	getByNameAndVersion(type: string, _version?: number): INodeType {
		return this.getByName(type);
	}

	getKnownTypes() {
		return {};
	}
}

// ---------------------------------------------------------------------------------------------
// credentials: an in-memory store + a helper that mirrors n8n's CLI CredentialsHelper

type CredentialTypes = Record<string, ICredentialType>;

export interface CredentialStore {
	readonly id: string;
	readonly name: string;
	readonly data: ICredentialDataDecryptedObject;
	readonly sessionName: string;
	/** how many times n8n stored new credential data (a preAuthentication that returned data) */
	readonly updates: number;
	/** every sessionName the store has held */
	readonly sessionHistory: string[];
	set(patch: ICredentialDataDecryptedObject): void;
}

class MemoryCredentialStore implements CredentialStore {
	private current: ICredentialDataDecryptedObject;
	updates = 0;
	sessionHistory: string[] = [];

	constructor(
		readonly id: string,
		readonly name: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.current = { ...data };
	}

	get data() {
		return { ...this.current };
	}

	get sessionName() {
		return String(this.current.sessionName ?? '');
	}

	set(patch: ICredentialDataDecryptedObject) {
		this.current = { ...this.current, ...patch };
		this.remember();
	}

	store(data: ICredentialDataDecryptedObject) {
		this.current = { ...data };
		this.updates++;
		this.remember();
	}

	private remember() {
		const session = this.sessionName;
		if (session && !this.sessionHistory.includes(session)) this.sessionHistory.push(session);
	}
}

function applyCredentialDefaults(
	credentialTypes: CredentialTypes,
	type: string,
	data: ICredentialDataDecryptedObject,
) {
	const properties = credentialTypes[type]?.properties ?? [];
	const withDefaults = NodeHelpers.getNodeParameters(
		properties,
		data as INodeParameters,
		true,
		false,
		null,
		null,
	) as ICredentialDataDecryptedObject | null;
	return { ...(withDefaults ?? {}), ...data } as ICredentialDataDecryptedObject;
}

class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly stores: Map<string, MemoryCredentialStore>,
		readonly credentialTypes: CredentialTypes,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialTypes[type]?.properties ?? [];
	}

	private storeFor(details: INodeCredentialsDetails | undefined): MemoryCredentialStore {
		const byId = details?.id ? this.stores.get(details.id) : undefined;
		const store = byId ?? [...this.stores.values()][0];
		if (!store) throw new Error('No credential in the harness store');
		return store;
	}

	// CLI: CredentialsHelper.authenticate, generic branch
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions & IDataObject;
		const authenticate = this.credentialTypes[typeName]?.authenticate;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (authenticate && authenticate.type === 'generic') {
			if (requestOptions.headers === undefined) requestOptions.headers = {};
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as IDataObject)) {
					const keyResolved = this.resolveValue(key, credentials, workflow, node);
					const valueResolved = this.resolveValue(value as string, credentials, workflow, node);
					if (!requestOptions[outerKey]) requestOptions[outerKey] = {};
					(requestOptions[outerKey] as IDataObject)[keyResolved] = valueResolved;
				}
			}
		}
		return requestOptions;
	}

	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow?: Workflow,
		node?: INode,
	): string {
		if (typeof value !== 'string' || value.charAt(0) !== '=') return value;
		if (!workflow || !node) throw new Error('authenticate needs a workflow and node to resolve expressions');
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			{ $credentials: credentials },
			undefined,
			'',
		);
		if (!resolved) return '';
		return String(resolved);
	}

	// CLI: CredentialsHelper.preAuthentication
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes[typeName];
		const expirableProperty = credentialType?.properties.find(
			(property) => property.type === 'hidden' && property?.typeOptions?.expirable === true,
		);
		if (expirableProperty?.name === undefined) return undefined;
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (typeof credentialType.preAuthentication === 'function') {
			if (
				credentials[expirableProperty.name] === '' ||
				credentialsExpired ||
				isTestingCredentials
			) {
				const output = await credentialType.preAuthentication.call(helpers, credentials);
				if (output[expirableProperty.name] === undefined) return undefined;
				if (node.credentials) {
					await this.updateCredentials(
						node.credentials[credentialType.name],
						credentialType.name,
						Object.assign(credentials, output),
					);
					return Object.assign(credentials, output);
				}
			}
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes[typeName];
		if (typeof credentialType?.preAuthentication !== 'function') return undefined;
		return (await credentialType.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const store = this.storeFor(details);
		return {
			id: store.id,
			name: store.name,
			type,
			getData: () => store.data,
		} as unknown as ICredentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		return applyCredentialDefaults(this.credentialTypes, type, this.storeFor(nodeCredentials).data);
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.storeFor(nodeCredentials).store(data);
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------------
// the harness

export interface HarnessOptions {
	baseUrl: string;
	username: string;
	accessKey: string;
	allowUnauthorizedCerts?: boolean;
	credentialName?: string;
	nodeTypes?: Record<string, INodeType>;
	/**
	 * The credential type instance to use (default: a VtigerApi from the shared module registry).
	 * Pass one loaded with jest.isolateModules to get a second "process" with its own single-flight.
	 */
	credentialType?: ICredentialType;
}

export interface RunNodeOptions {
	type: string;
	parameters?: INodeParameters;
	items?: Array<IDataObject | INodeExecutionData>;
	continueOnFail?: boolean;
	typeVersion?: number;
	/** the workflow's time zone setting (n8n's default otherwise) */
	timezone?: string;
	/** sub-nodes connected to the node under test by a non-main connection (e.g. a tool on an agent's ai_tool input) */
	subNodes?: SubNode[];
}

export interface SubNode {
	name: string;
	type: string;
	parameters?: INodeParameters;
	typeVersion?: number;
	connectionType: NodeConnectionType;
}

export interface RunNodeResult {
	items: INodeExecutionData[];
	error?: ExecutionError;
	errors: string[];
	run: IRun;
}

export interface PollResult {
	items: INodeExecutionData[] | null;
	staticData: IDataObject;
}

/** Where a webhook trigger is registered: its production URL (an active workflow) or the editor's test URL. */
export interface WebhookTarget {
	/** the test URL (webhook-test/…), as "Listen for test event" registers it; default: production */
	test?: boolean;
	type?: string;
	timezone?: string;
	/** n8n's base URL (default http://127.0.0.1:5678): webhook URLs are <base>/webhook/… and <base>/webhook-test/… */
	baseUrl?: string;
}

export interface HookResult {
	result: boolean;
	staticData: IDataObject;
	/** the URL n8n gave the node for this registration */
	url: string;
}

export interface WebhookRequest {
	headers?: Record<string, string>;
	/** the raw body as it came over the wire (n8n keeps it as req.rawBody and parses JSON into req.body) */
	body: Buffer | string;
}

export interface WebhookResult {
	/** the HTTP status the caller got */
	status: number;
	/** what the caller got back (the node's own answer, or n8n's default "Workflow was started") */
	body: unknown;
	/** the items an execution would start with; undefined when no execution starts */
	items: INodeExecutionData[] | undefined;
	staticData: IDataObject;
}

export interface Harness {
	store: CredentialStore;
	logs: string[];
	nodeTypes: INodeTypes;
	runNode(options: RunNodeOptions): Promise<RunNodeResult>;
	loadOptions(method: string, parameters?: INodeParameters, options?: { type?: string }): Promise<INodePropertyOptions[]>;
	listSearch(
		method: string,
		filter?: string,
		paginationToken?: string,
		parameters?: INodeParameters,
		options?: { type?: string },
	): Promise<INodeListSearchResult>;
	resourceMapping(method: string, parameters?: INodeParameters, options?: { type?: string }): Promise<ResourceMapperFields>;
	poll(
		parameters?: INodeParameters,
		staticData?: IDataObject,
		mode?: 'trigger' | 'manual',
		options?: { type?: string; timezone?: string },
	): Promise<PollResult>;
	testCredential(data?: ICredentialDataDecryptedObject): Promise<{ status: 'OK' | 'Error'; message: string }>;
	/** One of a webhook node's webhookMethods.default (checkExists, create, delete) as n8n's activation calls it. */
	hook(
		method: 'checkExists' | 'create' | 'delete',
		parameters: INodeParameters,
		staticData?: IDataObject,
		target?: WebhookTarget,
	): Promise<HookResult>;
	/** A request to a webhook node's URL, as n8n's webhook server hands it to the node's webhook(). */
	webhook(parameters: INodeParameters, staticData: IDataObject, request: WebhookRequest, target?: WebhookTarget): Promise<WebhookResult>;
}

function toItems(items: Array<IDataObject | INodeExecutionData> | undefined): INodeExecutionData[] {
	if (!items) return [{ json: {} }];
	return items.map((item) =>
		typeof item === 'object' && item !== null && 'json' in item && typeof item.json === 'object'
			? (item as INodeExecutionData)
			: { json: item as IDataObject },
	);
}

function baseAdditionalData(
	credentialsHelper: ICredentialsHelper,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		executeWorkflow: async () => {
			throw new Error('executeWorkflow is not available in the harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		variables: {},
		userId: 'harness-user',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('task runners are not available in the harness');
		},
		externalSecretsProxy: undefined,
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export function createHarness(options: HarnessOptions): Harness {
	const id = randomUUID();
	const name = options.credentialName ?? 'Vtiger account';
	const store = new MemoryCredentialStore(id, name, {
		url: options.baseUrl,
		username: options.username,
		secretAccessKey: options.accessKey,
		ignoreSslIssues: options.allowUnauthorizedCerts ?? false,
		sessionName: '',
		userId: '',
	});
	const stores = new Map([[id, store]]);
	const credentialsHelper = new HarnessCredentialsHelper(stores, {
		[CREDENTIAL_TYPE]: options.credentialType ?? new VtigerApi(),
	});
	const nodeTypes = new HarnessNodeTypes(options.nodeTypes);

	const makeNode = (type: string, parameters: INodeParameters, extra: Partial<INode> = {}): INode => ({
		id: randomUUID(),
		name: 'Node Under Test',
		type: nodeTypes.fullName(type),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id, name } },
		...extra,
	});

	const makeWorkflow = (node: INode, staticData?: IDataObject, timezone?: string, subNodes: INode[] = [], connections: IConnections = {}) =>
		new Workflow({
			id: 'harness-workflow',
			name: 'Harness',
			nodes: [node, ...subNodes],
			connections,
			active: false,
			nodeTypes,
			staticData: staticData ? { [`node:${node.name}`]: staticData } : {},
			settings: { executionOrder: 'v1', ...(timezone ? { timezone } : {}) },
		});

	async function runNode(run: RunNodeOptions): Promise<RunNodeResult> {
		const node = makeNode(run.type, run.parameters ?? {}, {
			typeVersion: run.typeVersion ?? 1,
			...(run.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		});
		const subNodes = (run.subNodes ?? []).map((sub) =>
			makeNode(sub.type, sub.parameters ?? {}, { name: sub.name, typeVersion: sub.typeVersion ?? 1 }),
		);
		const connections: IConnections = {};
		for (const sub of run.subNodes ?? []) {
			connections[sub.name] = { [sub.connectionType]: [[{ node: node.name, type: sub.connectionType, index: 0 }]] };
		}
		const workflow = makeWorkflow(node, undefined, run.timezone, subNodes, connections);
		const workflowData: IWorkflowBase = {
			id: workflow.id,
			name: 'Harness',
			active: false,
			isArchived: false,
			nodes: [node, ...subNodes],
			connections,
			createdAt: new Date(),
			updatedAt: new Date(),
			activeVersionId: null,
		} as unknown as IWorkflowBase;
		const hooks = new ExecutionLifecycleHooks('manual', randomUUID(), workflowData);
		const additionalData = baseAdditionalData(credentialsHelper, { hooks });
		const executionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [
					{ node: workflow.getNode(node.name) as INode, data: { main: [toItems(run.items)] }, source: null },
				],
			},
		});
		const execute = new WorkflowExecute(additionalData, 'manual', executionData);
		const result = await execute.processRunExecutionData(workflow);
		const taskData = result.data.resultData.runData[node.name]?.[0];
		const items = taskData?.data?.main?.[0] ?? [];
		const errors = items
			.map((item) => (item.json as IDataObject)?.error ?? item.error?.message)
			.filter((value): value is string => typeof value === 'string');
		return { items, error: result.data.resultData.error, errors, run: result };
	}

	function methodsOf(type: string) {
		const nodeType = nodeTypes.getByName(type);
		if (!nodeType.methods) throw new Error(`Node type "${type}" has no methods`);
		return { nodeType, methods: nodeType.methods };
	}

	function loadContext(type: string, parameters: INodeParameters) {
		const node = makeNode(type, parameters);
		const workflow = makeWorkflow(node);
		const additionalData = baseAdditionalData(credentialsHelper, { currentNodeParameters: parameters });
		return new LoadOptionsContext(workflow, node, additionalData, 'parameters');
	}

	// one node id for the harness's webhook node: n8n keeps it across activations and requests
	const webhookNodeId = randomUUID();
	const webhookSetup = (parameters: INodeParameters, staticData: IDataObject, target: WebhookTarget) => {
		const type = target.type ?? 'vtigerInstantTrigger';
		const nodeType = nodeTypes.getByName(type);
		const node = makeNode(type, parameters, { id: webhookNodeId, name: 'Vtiger Instant Trigger', webhookId: webhookNodeId });
		const workflow = makeWorkflow(node, JSON.parse(JSON.stringify(staticData)) as IDataObject, target.timezone);
		const description = nodeType.description.webhooks?.find((webhook) => webhook.name === 'default');
		if (!description) throw new Error(`Node type "${type}" has no default webhook`);
		const base = target.baseUrl?.replace(/\/$/, '');
		const additionalData = baseAdditionalData(
			credentialsHelper,
			base ? { webhookBaseUrl: `${base}/webhook`, webhookTestBaseUrl: `${base}/webhook-test` } : {},
		);
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: node.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: String(workflow.id),
			workflowExecuteAdditionalData: additionalData,
			webhookId: webhookNodeId,
			isTest: target.test === true,
		};
		const readStatic = () =>
			JSON.parse(JSON.stringify(workflow.getStaticData('node', workflow.getNode(node.name) as INode))) as IDataObject;
		return { nodeType, node: workflow.getNode(node.name) as INode, workflow, additionalData, webhookData, readStatic };
	};

	return {
		store,
		logs: logLines,
		nodeTypes,
		runNode,
		async hook(method, parameters, staticData = {}, target = {}) {
			const { nodeType, node, workflow, additionalData, webhookData, readStatic } = webhookSetup(parameters, staticData, target);
			const fn = nodeType.webhookMethods?.default?.[method];
			if (!fn) throw new Error(`No webhookMethods.default.${method}`);
			// the CLI: test webhooks run their hooks in mode and activation 'manual', activation in mode 'trigger'
			const context = new HookContext(
				workflow,
				node,
				additionalData,
				target.test ? 'manual' : 'trigger',
				target.test ? 'manual' : 'activate',
				webhookData,
			);
			const result = await fn.call(context);
			return { result, staticData: readStatic(), url: String(context.getNodeWebhookUrl('default')) };
		},
		async webhook(parameters, staticData, request, target = {}) {
			const { nodeType, node, workflow, additionalData, webhookData, readStatic } = webhookSetup(parameters, staticData, target);
			if (!nodeType.webhook) throw new Error('Node type has no webhook()');
			const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
			let parsed: unknown = {};
			try {
				parsed = JSON.parse(raw.toString('utf8'));
			} catch {
				parsed = {};
			}
			const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
			const answer: { status: number; body: unknown; sent: boolean } = { status: 200, body: undefined, sent: false };
			const response = {
				status(code: number) {
					answer.status = code;
					return response;
				},
				json(body: unknown) {
					answer.body = body;
					answer.sent = true;
					return response;
				},
				send(body: unknown) {
					answer.body = body;
					answer.sent = true;
					return response;
				},
				end(body?: unknown) {
					if (body !== undefined) answer.body = body;
					answer.sent = true;
					return response;
				},
				setHeader() {
					return response;
				},
			};
			additionalData.httpRequest = { headers, body: parsed, rawBody: raw, params: {}, query: {}, method: 'POST' } as never;
			additionalData.httpResponse = response as never;
			const context = new WebhookContext(
				workflow,
				node,
				additionalData,
				target.test ? 'manual' : 'webhook',
				webhookData,
				[],
				null,
			);
			const result = await nodeType.webhook.call(context);
			if (result.noWebhookResponse) {
				return { status: answer.status, body: answer.body, items: undefined, staticData: readStatic() };
			}
			const items = result.workflowData?.[0];
			return {
				status: 200,
				body: result.webhookResponse ?? (items ? { message: 'Workflow was started' } : undefined),
				items,
				staticData: readStatic(),
			};
		},
		async loadOptions(method, parameters = {}, opts = {}) {
			const { methods } = methodsOf(opts.type ?? 'vtiger');
			const fn = methods.loadOptions?.[method];
			if (!fn) throw new Error(`No loadOptions method "${method}"`);
			return await fn.call(loadContext(opts.type ?? 'vtiger', parameters));
		},
		async listSearch(method, filter, paginationToken, parameters = {}, opts = {}) {
			const { methods } = methodsOf(opts.type ?? 'vtiger');
			const fn = methods.listSearch?.[method];
			if (!fn) throw new Error(`No listSearch method "${method}"`);
			return await fn.call(loadContext(opts.type ?? 'vtiger', parameters), filter, paginationToken);
		},
		async resourceMapping(method, parameters = {}, opts = {}) {
			const { methods } = methodsOf(opts.type ?? 'vtiger');
			const fn = methods.resourceMapping?.[method];
			if (!fn) throw new Error(`No resourceMapping method "${method}"`);
			return await fn.call(loadContext(opts.type ?? 'vtiger', parameters));
		},
		async poll(parameters = {}, staticData = {}, mode = 'trigger', opts = {}) {
			const type = opts.type ?? 'vtigerTrigger';
			const nodeType = nodeTypes.getByName(type);
			if (!nodeType.poll) throw new Error(`Node type "${type}" cannot poll`);
			const node = makeNode(type, parameters);
			const workflow = makeWorkflow(node, JSON.parse(JSON.stringify(staticData)) as IDataObject, opts.timezone);
			const additionalData = baseAdditionalData(credentialsHelper);
			const executeMode: WorkflowExecuteMode = mode;
			const context = new PollContext(
				workflow,
				workflow.getNode(node.name) as INode,
				additionalData,
				executeMode,
				mode === 'manual' ? 'manual' : 'init',
			);
			const result = await nodeType.poll.call(context);
			const after = workflow.getStaticData('node', workflow.getNode(node.name) as INode);
			return {
				items: result ? (result[0] ?? []) : null,
				staticData: JSON.parse(JSON.stringify(after)) as IDataObject,
			};
		},
		async testCredential(data) {
			return await testCredential(credentialsHelper, {
				...store.data,
				...(data ?? {}),
			}, { id, name });
		},
	};
}

// CLI: CredentialsTester.testCredentials, the `test.request` branch (credential test via RoutingNode)
async function testCredential(
	credentialsHelper: HarnessCredentialsHelper,
	data: ICredentialDataDecryptedObject,
	reference: { id: string; name: string },
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const { RoutingNode, ExecuteContext } = await import('n8n-core');
	const credentialType = credentialsHelper.credentialTypes[CREDENTIAL_TYPE];
	const test = credentialType.test;
	if (!test) return { status: 'Error', message: 'No testing function found for this credential.' };
	const decrypted = applyCredentialDefaults(credentialsHelper.credentialTypes, CREDENTIAL_TYPE, data);
	const mockType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'noOp',
			group: [],
			version: 1,
			description: '',
			defaults: {},
			inputs: [],
			outputs: [],
			requestDefaults: undefined,
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: { temp: '' },
		credentials: { [CREDENTIAL_TYPE]: reference },
	};
	const tempTypes: INodeTypes = {
		getByName: () => mockType,
		getByNameAndVersion: () => mockType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: tempTypes });
	const inputData = { main: [[{ json: {} }]] };
	const runExecutionData = createRunExecutionData({});
	const executeData: IExecuteData = { node, data: {}, source: null };
	// a credential test's preAuthentication results are not stored (the CLI tests unsaved data)
	const testHelper = Object.create(credentialsHelper) as HarnessCredentialsHelper;
	testHelper.updateCredentials = async () => {};
	const additionalData = baseAdditionalData(testHelper);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		inputData.main[0],
		inputData,
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, mockType, {
		id: reference.id,
		name: reference.name,
		type: CREDENTIAL_TYPE,
		data: decrypted,
	});
	let response;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }).cause;
		if (cause?.response) {
			const { status, statusText } = cause.response;
			if (status < 199 || status > 299) {
				return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: String((error as Error).message) };
	}
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const body = response?.[0]?.[0]?.json as IDataObject | undefined;
			if (body && body[rule.properties.key] === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** The access key and every session id the store has held: none may appear in outputs or logs. */
export function secretsOf(harness: Harness, accessKey?: string): string[] {
	return [accessKey ?? String(harness.store.data.secretAccessKey ?? ''), ...harness.store.sessionHistory].filter(
		(secret) => secret.length > 0,
	);
}

function deepText(value: unknown, seen = new Set<unknown>()): string {
	if (value === null || value === undefined) return '';
	if (typeof value !== 'object') return String(value);
	if (seen.has(value)) return '';
	seen.add(value);
	const parts: string[] = [];
	if (value instanceof Error) parts.push(value.message, value.stack ?? '');
	for (const key of Object.getOwnPropertyNames(value)) {
		let child: unknown;
		try {
			child = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		if (typeof child === 'function') continue;
		parts.push(key, deepText(child, seen));
	}
	return parts.join(' ');
}

export function findSecret(value: unknown, secrets: string[]): string | undefined {
	const text = deepText(value);
	return secrets.find((secret) => text.includes(secret));
}

export function assertNoSecrets(value: unknown, secrets: string[]): void {
	const found = findSecret(value, secrets);
	if (found !== undefined) {
		throw new Error(`A secret (${found.slice(0, 3)}…) appears in ${typeof value === 'string' ? 'a string' : 'an output'}`);
	}
}
