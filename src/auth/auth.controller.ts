import { Body, Controller, Header, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentSession, SessionContext } from '../common/decorators/current-session.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { ApiErrorResponses } from '../common/dto/api-error-responses.decorator';
import { User } from '../users/entities/user.entity';
import { AuthService } from './auth.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { LogoutDto } from './dto/logout.dto';
import { RefreshDto } from './dto/refresh.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @Post('register')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'register', summary: 'Create an account and start a session' })
  @ApiCreatedResponse({ type: TokenPairDto })
  @ApiErrorResponses(['EMAIL_TAKEN'])
  register(@Body() body: RegisterDto): Promise<TokenPairDto> {
    return this.auth.register(body.email, body.password);
  }

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'login', summary: 'Sign in with email and password: a new session' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrorResponses(['INVALID_CREDENTIALS'])
  login(@Body() body: LoginDto, @Ip() address: string): Promise<TokenPairDto> {
    return this.auth.login(body.email, body.password, address);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'refresh',
    summary: 'Exchange a refresh token for a new pair (the presented one is spent)',
    description:
      'The claims are read again from the database. A refresh token used twice ends its session, except ' +
      'within a few seconds of its first use (two tabs refreshing at once).',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrorResponses(['INVALID_REFRESH_TOKEN'])
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'logout',
    summary: "End this session (or all the user's sessions): its tokens stop working here",
  })
  @ApiNoContentResponse()
  @ApiErrorResponses(['UNAUTHORIZED'])
  async logout(
    @CurrentUser() user: User,
    @CurrentSession() session: SessionContext,
    @Body() body: LogoutDto,
  ): Promise<void> {
    await this.sessions.end(user.id, session.sessionId, body.allSessions === true);
  }

  @Post('password')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change the password: every other session ends, a new one starts',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrorResponses(['UNAUTHORIZED', 'INVALID_CREDENTIALS'])
  changePassword(
    @CurrentUser() user: User,
    @Body() body: ChangePasswordDto,
    @Ip() address: string,
  ): Promise<TokenPairDto> {
    return this.auth.changePassword(user, body.currentPassword, body.newPassword, address);
  }
}
