/**
 * rss_mb_10k: add 100 apps of 100 instances next to the 10,000-instance app, let the server
 * settle, and read the resident memory of its workerd process.
 */
import { waitIdle } from './client.ts'
import { rssMb } from './proc.ts'
import { registerSpread } from './throughput.ts'
import { freshAppid } from './wire.ts'

export const SMALL_APPS = 100
export const SMALL_APP_SIZE = 100

export async function rssWithSmallApps(url: string, workerdPid: number): Promise<number> {
  const appids = Array.from({ length: SMALL_APPS }, (_, i) => freshAppid(`small${i}`))
  await registerSpread(url, appids, SMALL_APP_SIZE)
  await waitIdle(url, 1000)
  return rssMb(workerdPid)
}
