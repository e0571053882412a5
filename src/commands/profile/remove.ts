import {profileCommand} from '../../base/profile-command.js'

export default profileCommand('remove')
