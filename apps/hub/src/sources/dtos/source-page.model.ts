import { ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { RevisionModel } from './revision.model.js';
import { SourceModel } from './source.model.js';

@ObjectType('SourceConnection', { description: 'A page of sources, by name.' })
export class SourcePageModel extends PageType(SourceModel, 'Source') {}

@ObjectType('RevisionConnection', { description: 'A page of the revisions of a source, newest first.' })
export class RevisionPageModel extends PageType(RevisionModel, 'Revision') {}
