import { apiError } from './api-error.js';

describe('apiError', () => {
  it('names the reason of the status and carries details only when there are some', () => {
    expect(apiError(404, 'no such API route')).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'no such API route',
    });
    expect(apiError(414, '(url): too long').error).toBe('URI Too Long');
    expect(apiError(418, 'teapot').error).toBe('Error');
    expect(apiError(400, 'id: 1 must be a string', [{ path: 'id', value: 1, rule: 'must be a string' }])).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'id: 1 must be a string',
      details: [{ path: 'id', value: 1, rule: 'must be a string' }],
    });
  });
});
