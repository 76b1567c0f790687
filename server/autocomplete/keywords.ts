export * from '../../shared/keywords.ts';
