import { N8n } from './n8n';
import { ensureQueueServices, startPostgres, startRedis, type Postgres, type Service } from './services';

/** n8n in queue mode: one main (editor, webhooks, triggers) and workers that run the executions. */
export interface QueueCluster {
	main: N8n;
	workers: N8n[];
	redis: Service;
	postgres: Postgres;
	/** seconds spent installing Debian packages (0 when they were there) */
	installedSeconds: number;
	stop(): Promise<void>;
}

/**
 * Every process gets its own user folder with the packed package installed (n8n loads community nodes
 * from there, on workers too) and the same database, Redis and encryption key.
 */
export async function createQueueCluster(workerCount: number): Promise<QueueCluster> {
	const { installedSeconds } = ensureQueueServices();
	const redis = await startRedis();
	let postgres: Postgres | undefined;
	try {
		postgres = await startPostgres();
	} catch (error) {
		await redis.stop();
		throw error;
	}
	const env: NodeJS.ProcessEnv = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_DATABASE: postgres.database,
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
	};
	const main = await N8n.create('queue-main', { env });
	const workers: N8n[] = [];
	for (let i = 0; i < workerCount; i++) {
		// a worker's health server listens on the port N8n picked for it
		const worker = await N8n.create(`queue-worker${i + 1}`, { env });
		worker.env.QUEUE_HEALTH_CHECK_PORT = String(worker.port);
		workers.push(worker);
	}
	const services = { redis, postgres };
	return {
		main,
		workers,
		...services,
		installedSeconds,
		stop: async () => {
			await Promise.all([main, ...workers].map(async (n8n) => await n8n.stop()));
			await redis.stop();
			await services.postgres.stop();
		},
	};
}

/** Starts the workers (after the main: it runs the database migrations). */
export async function startWorkers(cluster: QueueCluster, workerConcurrency: number): Promise<void> {
	await Promise.all(
		cluster.workers.map(
			async (worker) =>
				await worker.start(300000, ['worker', `--concurrency=${workerConcurrency}`], `${worker.baseUrl}/healthz`),
		),
	);
}
