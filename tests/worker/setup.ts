// Every worker test file starts from a migrated D1 (storage is shared across tests, see PLATFORM.md).
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
