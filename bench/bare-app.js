// The framework's ceiling: a bare NestJS 11 + Express app answering GET /users/me with a fixed body (no token
// check, no database, no logging). `npm run bench` runs it beside the service on the same machine, same run.
'use strict';
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const USER = {
  id: '6f1c2a9e-2d4b-4c1e-9a53-0d8f5b7c3e21',
  email: 'bench@example.com',
  phoneNumber: '+447123456789',
  phoneCountryCode: '44',
  phoneNationalNumber: '7123456789',
  phoneNumberConfirmed: false,
  phoneNumberConfirmedAt: null,
  createdAt: '2026-11-29T10:00:00.000Z',
};

class UsersController {
  me() {
    return USER;
  }
}
Get('me')(UsersController.prototype, 'me', Object.getOwnPropertyDescriptor(UsersController.prototype, 'me'));
Controller('users')(UsersController);

class BareModule {}
Module({ controllers: [UsersController] })(BareModule);

NestFactory.create(BareModule, { logger: false }).then((app) =>
  app.listen(Number(process.env.PORT), '127.0.0.1'),
);
