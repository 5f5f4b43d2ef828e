import { Logger } from '@nestjs/common';

// Unit specs assert on behaviour, not on log output: Nest's static logger stays silent for every spec file.
Logger.overrideLogger(false);
