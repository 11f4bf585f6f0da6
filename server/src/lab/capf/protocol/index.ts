export * from './constants';
export * from './codec';
export * from './framer';
export * from './messages';
export * from './signedData';
