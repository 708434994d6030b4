/** The "not found" page: only the shared top bar needs wiring. */
import { installTopbar } from '../common/topbar.ts';

installTopbar();
