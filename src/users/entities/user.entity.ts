import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
// Two accounts can hold the same number, but only one can have it confirmed.
@Index('UQ_users_confirmed_phone', ['phoneE164'], { unique: true, where: 'phone_confirmed = true' })
export class User {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 254, unique: true })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash?: string;

  @Column({ name: 'phone_e164', type: 'varchar', length: 16, nullable: true })
  phoneE164: string | null;

  @Column({ name: 'phone_country_code', type: 'varchar', length: 4, nullable: true })
  phoneCountryCode: string | null;

  @Column({ name: 'phone_national_number', type: 'varchar', length: 17, nullable: true })
  phoneNationalNumber: string | null;

  @Column({ name: 'phone_confirmed', type: 'boolean', default: false })
  phoneConfirmed: boolean;

  @Column({ name: 'phone_confirmed_at', type: Date, nullable: true })
  phoneConfirmedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: Date })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: Date })
  updatedAt: Date;
}
