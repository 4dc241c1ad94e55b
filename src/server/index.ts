/**
 * Worker entry. Importing runtime-config parses the variables first: a bad value stops the
 * worker at start-up with a message that names it. The app is built once per isolate from them.
 */
import { createApp } from './app.ts'
import { CONFIG, LIMITERS } from './runtime-config.ts'

export { CatalogObject } from './catalog-object.ts'
export { RegistryObject } from './registry-object.ts'

const app = createApp({ config: CONFIG, limiters: LIMITERS })

export default { fetch: app.fetch } satisfies ExportedHandler<Env>
