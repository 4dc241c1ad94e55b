// @ts-check
/**
 * The smallest worker for the repro (README.md): it reads the request body whole and answers
 * with its length, or 400 when the client broke the body off. It never throws, so any 5xx a
 * client sees comes from what stands in front of it. No Durable Object, no registry.
 */
export default {
  /** @param {Request} request */
  async fetch(request) {
    try {
      const body = await request.text()
      return new Response(String(body.length))
    } catch {
      return new Response('the request body was broken off', { status: 400 })
    }
  },
}
