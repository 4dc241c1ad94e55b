/**
 * Worker entry. Importing runtime-config validates the variables first: a bad value stops the
 * worker at start-up with a message that names it.
 */
import './runtime-config.ts'
import { handle } from './app.ts'

export { CatalogObject } from './catalog-object.ts'
export { RegistryObject } from './registry-object.ts'

export default { fetch: handle } satisfies ExportedHandler<Env>
