import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { AuditRecordModel } from './audit-record.model.js';

@ObjectType('AuditRecordConnection', { description: 'A page of the audit log, newest first.' })
export class AuditRecordPageModel extends PageType(AuditRecordModel, 'AuditRecord') {}
