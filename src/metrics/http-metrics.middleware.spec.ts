import { routeLabel, UNMATCHED_ROUTE } from './http-metrics.middleware';

describe('routeLabel', () => {
  it.each([
    [{ baseUrl: '', route: { path: '/users/me/phone' } }, '/users/me/phone'],
    [{ baseUrl: '', route: { path: '/users/:id' } }, '/users/:id'],
    [{ baseUrl: '/v1', route: { path: '/auth/login' } }, '/v1/auth/login'],
    [{ baseUrl: '', route: undefined }, UNMATCHED_ROUTE],
    [{ baseUrl: '', route: { path: '/{*path}' } }, UNMATCHED_ROUTE],
    [{ baseUrl: '', route: { path: '{*splat}' } }, UNMATCHED_ROUTE],
    [{ baseUrl: '', route: { path: '*' } }, UNMATCHED_ROUTE],
    [{ baseUrl: '', route: { path: '/(.*)' } }, UNMATCHED_ROUTE],
    [{ baseUrl: '', route: { path: '/reports/{*path}' } }, '/reports/{*path}'],
    [{ baseUrl: '', route: { path: /regexp/ } }, UNMATCHED_ROUTE],
  ])('%j: %s', (request, label) => {
    expect(routeLabel(request as Parameters<typeof routeLabel>[0])).toBe(label);
  });
});
