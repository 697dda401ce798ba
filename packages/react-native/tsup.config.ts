import { packageBuild } from '../../tsup.base';

// `react-native` stays external (a peer): Metro resolves it in the app.
export default packageBuild({ index: 'src/index.ts' }, { treeshake: false, splitting: false });
