export const handler = async (): Promise<unknown> => ({ statusCode: 200, body: "{}" });
